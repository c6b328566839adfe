import type { FetchQueryOptions, QueryKey } from '@tanstack/query-core'
import { procedureNameOf } from '../token/token-procedure.js'
import { asStoredTokenQuery, TokenSource } from '../token/token-source.js'
import { type DurableConnectionSettings, resolveSettings } from './connection-settings.js'
import type { DurableConnection } from './durable-connection.js'
import { SocketConnection } from './socket-connection.js'

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
  const settings = resolveSettings(options)
  const tokens = new TokenSource(
    {
      queryClient: settings.queryClient,
      tokenQuery: asStoredTokenQuery(options.tokenQuery),
      parseToken: settings.parseToken,
      refreshBeforeExpirySeconds: settings.refreshBeforeExpirySeconds,
    },
    procedureNameOf(options.tokenQuery.queryKey),
  )
  const maxEvents = options.maxEvents ?? 100
  const createOwn = () => new SocketConnection<TEvent>(settings, tokens, maxEvents)
  if (!settings.shareAcrossTabs) return createOwn()
  // Tabs share a stream when they ask for the same token (query key) at the same endpoint.
  const endpoint = typeof settings.url === 'function' ? '' : String(settings.url)
  const streamId = `${tokens.queryHash}@${endpoint}`
  return settings.shareAcrossTabs.connect<TEvent>({ streamId, settings, tokens, maxEvents, createOwn })
}
