import type { FetchQueryOptions, QueryClient, QueryKey } from '@tanstack/query-core'
import { parseDurableIteratorToken, type TokenParser } from '../token/parse-token.js'
import { procedureNameOf } from '../token/token-procedure.js'
import { DEFAULT_REFRESH_BEFORE_EXPIRY_SECONDS } from '../token/token-query-options.js'
import { TokenSource } from '../token/token-source.js'
import { DEFAULT_RECONNECT_OPTIONS, type ReconnectOptions } from './backoff.js'
import { DurableConnection, type WebSocketConstructor } from './durable-connection.js'
import { DEFAULT_HEARTBEAT_OPTIONS, type HeartbeatOptions } from './heartbeat.js'
import type { DurableUrl } from './socket-url.js'

/** Settings shared by every connection of a provider (or of a plain, non-React setup). */
export interface DurableConnectionSettings {
  queryClient: QueryClient
  /** The durable endpoint: a ws(s) URL, or a function of the token and its claims. */
  url: DurableUrl
  /** @default 30 */
  refreshBeforeExpirySeconds?: number
  /**
   * Refresh the token before it expires and hand it to the live socket (`updateToken`). When false, the
   * token is only renewed on reconnect, after the server closes the socket at expiry.
   * @default true
   */
  proactiveRefresh?: boolean
  reconnect?: ReconnectOptions
  /**
   * Probe quiet sockets so a half-open one (no data, no close) is replaced: `intervalMs` 15000 of silence,
   * then `timeoutMs` 5000 for an answer. false turns it off.
   */
  heartbeat?: HeartbeatOptions | false
  /** @default 10000 */
  tokenTimeoutMs?: number
  WebSocket?: WebSocketConstructor
  parseToken?: TokenParser
}

export interface CreateDurableConnectionOptions<TToken extends string = string> extends DurableConnectionSettings {
  /** The token's query options, from `durableIteratorTokenOptions`. */
  tokenQuery: FetchQueryOptions<TToken, Error, TToken, QueryKey>
  /** @default 100 */
  maxEvents?: number
}

/** Creates a connection for one stream, outside React (call `start()` to open it, `dispose()` to end it). */
export function createDurableConnection<TEvent = unknown, TToken extends string = string>(
  options: CreateDurableConnectionOptions<TToken>,
): DurableConnection<TEvent> {
  return new DurableConnection<TEvent>({
    tokens: new TokenSource<TToken>({
      queryClient: options.queryClient,
      tokenQuery: options.tokenQuery,
      procedureName: procedureNameOf(options.tokenQuery.queryKey),
      parseToken: options.parseToken ?? parseDurableIteratorToken,
      refreshBeforeExpirySeconds: options.refreshBeforeExpirySeconds ?? DEFAULT_REFRESH_BEFORE_EXPIRY_SECONDS,
    }),
    url: options.url,
    reconnect: { ...DEFAULT_RECONNECT_OPTIONS, ...options.reconnect },
    maxEvents: options.maxEvents ?? 100,
    proactiveRefresh: options.proactiveRefresh ?? true,
    heartbeat: options.heartbeat === false ? false : { ...DEFAULT_HEARTBEAT_OPTIONS, ...options.heartbeat },
    WebSocket: options.WebSocket,
  })
}
