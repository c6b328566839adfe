import type { QueryClient } from '@tanstack/query-core'
import { parseDurableIteratorToken, type TokenParser } from '../token/parse-token.js'
import { DEFAULT_REFRESH_BEFORE_EXPIRY_SECONDS } from '../token/token-query-options.js'
import { DEFAULT_RECONNECT_OPTIONS, type ReconnectOptions } from './backoff.js'
import type { TabSharing } from './cross-tab/tab-sharing.js'
import { DEFAULT_HEARTBEAT_OPTIONS, type HeartbeatOptions } from './heartbeat.js'
import type { WebSocketConstructor } from './socket-transport.js'
import type { DurableUrl } from './socket-url.js'

/**
 * Settings shared by every connection of a provider (or of a plain, non-React setup). A change reaches live
 * connections (`configure`): each field says whether it applies in place or replaces the socket.
 */
export interface DurableConnectionSettings {
  /** The cache tokens live in. A different client starts a new session (new client id, empty buffer). */
  queryClient: QueryClient
  /**
   * The durable endpoint: a ws(s) URL, or a function of the token and its claims. A change moves live streams to
   * the new endpoint (a new socket, resuming after the last event); a function is called again to tell whether the
   * endpoint changed.
   */
  url: DurableUrl
  /** Applies in place: the current token's refresh is rescheduled. @default 30 */
  refreshBeforeExpirySeconds?: number
  /**
   * Refresh the token before it expires and hand it to the live socket (`updateToken`). When false, the token is
   * only renewed on reconnect, after the server closes the socket at expiry. Applies in place.
   * @default true
   */
  proactiveRefresh?: boolean
  /** Applies in place, from the next wait on. */
  reconnect?: ReconnectOptions
  /**
   * Probe quiet sockets so a half-open one (no data, no close) is replaced: `intervalMs` 15000 of silence, then
   * `timeoutMs` 5000 for an answer. false turns it off. Applies in place.
   */
  heartbeat?: HeartbeatOptions | false
  /** Applies in place, from the next token call. @default 10000 */
  tokenTimeoutMs?: number
  /** A new implementation replaces the socket (resuming after the last event). @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor
  /** Applies in place: the current token is read again with it. @default JWT and oRPC signed values */
  parseToken?: TokenParser
  /**
   * Share each stream among the tabs of this origin: `acrossTabs` from `react-durable-iterator/tabs`. One tab leads
   * (it holds the socket and fetches the tokens), the others follow over a BroadcastChannel with the same events and
   * state. Without BroadcastChannel or Web Locks (and on the server) each tab streams alone. Applies to streams
   * opened afterwards.
   * @default undefined (each tab streams alone)
   */
  shareAcrossTabs?: TabSharing
}

/** Settings with their defaults, as a connection uses them. */
export interface ResolvedSettings {
  queryClient: QueryClient
  url: DurableUrl
  refreshBeforeExpirySeconds: number
  proactiveRefresh: boolean
  reconnect: Required<ReconnectOptions>
  heartbeat: Required<HeartbeatOptions> | false
  WebSocket: WebSocketConstructor | undefined
  parseToken: TokenParser
  handshakeTimeoutMs: number
  shareAcrossTabs: TabSharing | undefined
}

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000

export function resolveSettings(settings: DurableConnectionSettings): ResolvedSettings {
  return {
    queryClient: settings.queryClient,
    url: settings.url,
    refreshBeforeExpirySeconds: settings.refreshBeforeExpirySeconds ?? DEFAULT_REFRESH_BEFORE_EXPIRY_SECONDS,
    proactiveRefresh: settings.proactiveRefresh ?? true,
    reconnect: { ...DEFAULT_RECONNECT_OPTIONS, ...settings.reconnect },
    heartbeat: settings.heartbeat === false ? false : { ...DEFAULT_HEARTBEAT_OPTIONS, ...settings.heartbeat },
    WebSocket: settings.WebSocket,
    parseToken: settings.parseToken ?? parseDurableIteratorToken,
    handshakeTimeoutMs: DEFAULT_HANDSHAKE_TIMEOUT_MS,
    shareAcrossTabs: settings.shareAcrossTabs,
  }
}

/** Whether two option objects hold the same values (props are often written inline, a new object per render). */
export function sameOptions<T extends object>(a: T | false, b: T | false): boolean {
  if (a === false || b === false) return a === b
  const keys = Object.keys(a) as (keyof T)[]
  return keys.length === Object.keys(b).length && keys.every((key) => Object.is(a[key], b[key]))
}

/** Whether a change of `url` may move the socket: for two fixed URLs, whether they differ. */
export function fixedUrlChanged(previous: DurableUrl, next: DurableUrl): boolean | undefined {
  if (typeof previous === 'function' || typeof next === 'function') return previous === next ? false : undefined
  return String(previous) !== String(next)
}
