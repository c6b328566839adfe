import type { FetchQueryOptions, QueryKey } from '@tanstack/query-core'
import { procedureNameOf } from '../token/token-procedure.js'
import { TokenSource } from '../token/token-source.js'
import { type DurableConnectionSettings, resolveSettings } from './connection-settings.js'
import { DurableConnection } from './durable-connection.js'

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
      tokenQuery: options.tokenQuery as FetchQueryOptions<string, Error, string, QueryKey>,
      parseToken: settings.parseToken,
      refreshBeforeExpirySeconds: settings.refreshBeforeExpirySeconds,
    },
    procedureNameOf(options.tokenQuery.queryKey),
  )
  return new DurableConnection<TEvent>(settings, tokens, options.maxEvents ?? 100)
}
