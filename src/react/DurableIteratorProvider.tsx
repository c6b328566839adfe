import { type QueryClient, QueryClientContext } from '@tanstack/react-query'
import { type ReactNode, useContext, useMemo } from 'react'
import type { ReconnectOptions } from '../connection/backoff.js'
import { ConnectionRegistry } from '../connection/connection-registry.js'
import type { DurableConnectionSettings } from '../connection/create-connection.js'
import type { WebSocketConstructor } from '../connection/durable-connection.js'
import type { HeartbeatOptions } from '../connection/heartbeat.js'
import type { DurableUrl } from '../connection/socket-url.js'
import type { TokenParser } from '../token/parse-token.js'
import { DurableIteratorContext } from './durable-iterator-context.js'

export interface DurableIteratorProviderProps {
  /** The durable endpoint (ws:// or wss://), or a function of `{ token, claims }` returning it, sync or async. */
  url: DurableUrl
  /** The cache tokens live in. @default the nearest QueryClientProvider's client */
  queryClient?: QueryClient
  /**
   * Refresh a token this long before it expires (in-band, without reconnecting). Capped at half the
   * token's lifetime.
   * @default 30
   */
  refreshBeforeExpirySeconds?: number
  /**
   * Refresh tokens before they expire over the live socket (`updateToken`), so streams never reconnect
   * because of a token. When false, tokens are renewed only on reconnect.
   * @default true
   */
  proactiveRefresh?: boolean
  /** Backoff between attempts: `minDelayMs` 250, `maxDelayMs` 10000, `factor` 1.5, `jitter` 0.5, `maxRetries` Infinity. */
  reconnect?: ReconnectOptions
  /**
   * Probe quiet sockets so a half-open one (no data, no close) is replaced within `intervalMs + timeoutMs`.
   * @default { intervalMs: 15000, timeoutMs: 5000 }
   */
  heartbeat?: HeartbeatOptions | false
  /** A token call that takes longer is aborted and retried. @default 10000 */
  tokenTimeoutMs?: number
  /** How long a connection outlives its last user, so remounts reuse it. @default 1000 */
  lingerMs?: number
  /** WebSocket implementation, for Node and tests (e.g. `ws`). @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor
  /** Reads claims from a custom token format. @default JWT and oRPC signed values */
  parseToken?: TokenParser
  children?: ReactNode
}

const DEFAULT_LINGER_MS = 1000

/**
 * Shares durable-iterator connections among the components below it. Rendering it (also on the server)
 * opens nothing: connections start in effects, when a component uses `useDurableEventIterator`.
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
  ...props
}: DurableIteratorProviderProps) {
  const contextClient = useContext(QueryClientContext)
  const queryClient = props.queryClient ?? contextClient
  if (!queryClient) {
    throw new Error(
      'DurableIteratorProvider needs a QueryClient: render it inside <QueryClientProvider client={queryClient}>, or pass `queryClient`.',
    )
  }
  // Read when a connection is created: changing them affects streams opened afterwards.
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
    ],
  )
  // One registry per cache: connections share tokens through it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new cache or linger time starts a new registry
  const registry = useMemo(() => new ConnectionRegistry(lingerMs), [queryClient, lingerMs])
  const value = useMemo(() => ({ registry, settings }), [registry, settings])
  return <DurableIteratorContext.Provider value={value}>{children}</DurableIteratorContext.Provider>
}
