import { type QueryClient, QueryClientContext } from '@tanstack/react-query'
import { type ReactNode, useContext, useEffect, useMemo, useState } from 'react'
import type { ReconnectOptions } from '../connection/backoff.js'
import { ConnectionRegistry } from '../connection/connection-registry.js'
import type { DurableConnectionSettings } from '../connection/connection-settings.js'
import type { TabSharing } from '../connection/cross-tab/tab-sharing.js'
import type { HeartbeatOptions } from '../connection/heartbeat.js'
import type { WebSocketConstructor } from '../connection/socket-transport.js'
import type { DurableUrl } from '../connection/socket-url.js'
import type { TokenParser } from '../token/parse-token.js'
import { DurableIteratorContext } from './durable-iterator-context.js'

/** Every prop reaches streams that are already open; each says whether it applies in place or replaces the socket. */
export interface DurableIteratorProviderProps {
  /**
   * The durable endpoint (ws://, wss://; http(s) is converted; relative to the page in browsers), or a function of
   * `{ token, claims }` returning it, sync or async. A change moves open streams to the new endpoint (a new socket,
   * resuming after the last event); a function is called again to tell whether the endpoint changed, so an inline
   * arrow function does not reconnect on every render.
   */
  url: DurableUrl
  /** The cache tokens live in. A different client starts every stream again as a new session. @default the nearest QueryClientProvider's client */
  queryClient?: QueryClient
  /**
   * Refresh a token this long before it expires (in-band, without reconnecting). Capped at half the token's
   * lifetime. Applies in place: the current token's refresh is rescheduled.
   * @default 30
   */
  refreshBeforeExpirySeconds?: number
  /**
   * Refresh tokens before they expire over the live socket (`updateToken`), so streams never reconnect because of
   * a token. When false, tokens are renewed only on reconnect. Applies in place.
   * @default true
   */
  proactiveRefresh?: boolean
  /**
   * Backoff between attempts: `minDelayMs` 250, `maxDelayMs` 10000, `factor` 1.5, `jitter` 0.5, `maxRetries`
   * Infinity. Applies in place, from the next wait.
   */
  reconnect?: ReconnectOptions
  /**
   * Probe quiet sockets so a half-open one (no data, no close) is replaced within `intervalMs + timeoutMs`.
   * Applies in place.
   * @default { intervalMs: 15000, timeoutMs: 5000 }
   */
  heartbeat?: HeartbeatOptions | false
  /** A token call that takes longer is aborted and retried. Applies from the next token call. @default 10000 */
  tokenTimeoutMs?: number
  /** How long a connection outlives its last user, so remounts reuse it. Applies from the next release. @default 1000 */
  lingerMs?: number
  /** WebSocket implementation, for Node and tests (e.g. `ws`). A new one replaces the socket. @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor
  /** Reads claims from a custom token format. Applies in place. @default JWT and oRPC signed values */
  parseToken?: TokenParser
  /**
   * One socket per stream per browser instead of per tab: pass `acrossTabs` from `react-durable-iterator/tabs` (its
   * own entry: apps that do not share pay nothing for it). The tab that leads (by Web Locks) holds the socket and
   * fetches the tokens; the others get the same events and state over a BroadcastChannel, and their remote calls go
   * through it. When it closes, crashes or is frozen, another tab takes over and resumes. Without BroadcastChannel
   * or Web Locks each tab streams alone. Applies to streams opened afterwards.
   */
  shareAcrossTabs?: TabSharing
  children?: ReactNode
}

const DEFAULT_LINGER_MS = 1000

/**
 * Shares durable-iterator connections among the components below it. Rendering it (also on the server) opens
 * nothing: connections start in effects, when a component uses `useDurableEventIterator`.
 */
export function DurableIteratorProvider({
  children,
  lingerMs = DEFAULT_LINGER_MS,
  url,
  refreshBeforeExpirySeconds,
  proactiveRefresh,
  reconnect,
  heartbeat,
  tokenTimeoutMs,
  WebSocket,
  parseToken,
  shareAcrossTabs,
  ...props
}: DurableIteratorProviderProps) {
  const contextClient = useContext(QueryClientContext)
  const queryClient = props.queryClient ?? contextClient
  if (!queryClient) {
    throw new Error(
      'DurableIteratorProvider needs a QueryClient: render it inside <QueryClientProvider client={queryClient}>, or pass `queryClient`.',
    )
  }
  const settings = useMemo<DurableConnectionSettings>(
    () => ({
      queryClient,
      url,
      refreshBeforeExpirySeconds,
      proactiveRefresh,
      reconnect,
      heartbeat,
      tokenTimeoutMs,
      WebSocket,
      parseToken,
      shareAcrossTabs,
    }),
    [
      queryClient,
      url,
      refreshBeforeExpirySeconds,
      proactiveRefresh,
      reconnect,
      heartbeat,
      tokenTimeoutMs,
      WebSocket,
      parseToken,
      shareAcrossTabs,
    ],
  )
  // State, not a memo: React may drop a memoized value, and with it every live connection.
  const [registry] = useState(() => new ConnectionRegistry(lingerMs))
  useEffect(() => registry.configure(settings, lingerMs), [registry, settings, lingerMs])
  const value = useMemo(() => ({ registry, settings }), [registry, settings])
  return <DurableIteratorContext.Provider value={value}>{children}</DurableIteratorContext.Provider>
}
