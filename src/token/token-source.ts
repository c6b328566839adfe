import { type FetchQueryOptions, hashKey, type QueryClient, type QueryKey } from '@tanstack/query-core'
import type { DurableIteratorClaims } from '../protocol/claims.js'
import { readToken, type TokenParser } from './parse-token.js'
import { type TokenTiming, tokenTiming } from './token-timing.js'

/** A token with what the connection needs to know of it. */
export interface CurrentToken {
  token: string
  claims: DurableIteratorClaims
  timing: TokenTiming
}

export interface TokenSourceOptions<TToken extends string = string> {
  queryClient: QueryClient
  tokenQuery: FetchQueryOptions<TToken, Error, TToken, QueryKey>
  procedureName: string
  parseToken: TokenParser
  refreshBeforeExpirySeconds: number
}

/** What a connection needs of its token: the current one, fresh ones, and word of invalidation. */
export interface TokenProvider {
  readonly queryHash: string
  readonly procedureName: string
  get(options: { fresh: boolean }): Promise<CurrentToken>
  onInvalidate(listener: () => void): () => void
}

/**
 * Reads a stream's token through the app's TanStack Query cache: `fetchQuery` returns the cached token
 * while it is fresh, or joins the one fetch in flight, so every user of the cache shares one refresh.
 */
export class TokenSource<TToken extends string = string> implements TokenProvider {
  /** The token query's hash: the identity connections are shared by. */
  readonly queryHash: string
  /** The token procedure's oRPC path, for messages. */
  readonly procedureName: string

  constructor(private readonly options: TokenSourceOptions<TToken>) {
    this.queryHash = hashKey(options.tokenQuery.queryKey)
    this.procedureName = options.procedureName
  }

  /** The cached token if still fresh, else a new one. `fresh` forces a fetch (or joins one in flight). */
  async get({ fresh }: { fresh: boolean }): Promise<CurrentToken> {
    const { queryClient, tokenQuery } = this.options
    const token = await queryClient.fetchQuery(fresh ? { ...tokenQuery, staleTime: 0 } : tokenQuery)
    const receivedAtMs = queryClient.getQueryState(tokenQuery.queryKey)?.dataUpdatedAt || Date.now()
    const claims = readToken(token, this.options.procedureName, this.options.parseToken)
    return { token, claims, timing: tokenTiming(claims, receivedAtMs, this.options.refreshBeforeExpirySeconds) }
  }

  /** Calls `listener` when the app invalidates the token (logout, role change). */
  onInvalidate(listener: () => void): () => void {
    return this.options.queryClient.getQueryCache().subscribe((event) => {
      if (event.type !== 'updated' || event.action.type !== 'invalidate') return
      if (event.query.queryHash === this.queryHash) listener()
    })
  }
}
