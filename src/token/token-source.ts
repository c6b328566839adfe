import { type FetchQueryOptions, hashKey, type QueryClient, type QueryKey, QueryObserver } from '@tanstack/query-core'
import type { DurableIteratorClaims } from '../protocol/claims.js'
import { readToken, type TokenParser } from './parse-token.js'
import { tokenArrivalMs } from './token-arrival.js'
import { type TokenTiming, tokenTiming } from './token-timing.js'

/** A token with what the connection needs to know of it. */
export interface CurrentToken {
  token: string
  claims: DurableIteratorClaims
  timing: TokenTiming
  /** Local time the token arrived (see `tokenArrivalMs`). */
  receivedAtMs: number
}

export interface TokenSourceSettings<TToken extends string = string> {
  queryClient: QueryClient
  tokenQuery: FetchQueryOptions<TToken, Error, TToken, QueryKey>
  parseToken: TokenParser
  refreshBeforeExpirySeconds: number
}

/** What to get: `fresh` never reuses the cached token; `acceptUnexpired` takes one that is stale but not expired. */
export interface TokenGetOptions {
  fresh: boolean
  acceptUnexpired?: boolean
}

/** A token and whether it was fetched for this request (rather than taken from the cache). */
export interface TokenResult {
  current: CurrentToken
  fetched: boolean
}

/** What a connection needs of its token: the current one, fresh ones, and word of invalidation. */
export interface TokenProvider {
  readonly queryHash: string
  readonly procedureName: string
  get(options: TokenGetOptions): Promise<TokenResult>
  onInvalidate(listener: () => void): () => void
}

/**
 * Reads a stream's token through the app's TanStack Query cache, so every user of the cache shares one fetch
 * per refresh. A cached token is judged by its own claims, not by the query's state: a failed fetch leaves the
 * query invalidated, and trusting that would cost one token call per retry during an outage.
 */
export class TokenSource<TToken extends string = string> implements TokenProvider {
  /** The token query's hash: the identity connections are shared by. */
  readonly queryHash: string
  /** The token procedure's oRPC path, for messages. */
  readonly procedureName: string
  #settings: TokenSourceSettings<TToken>
  readonly #invalidateListeners = new Set<() => void>()
  #unsubscribeCache: (() => void) | undefined
  /** When the app last invalidated the token: a token that arrived before then is not reused. */
  #invalidatedAtMs = Number.NEGATIVE_INFINITY

  constructor(settings: TokenSourceSettings<TToken>, procedureName: string) {
    this.#settings = settings
    this.queryHash = hashKey(settings.tokenQuery.queryKey)
    this.procedureName = procedureName
  }

  get queryClient(): QueryClient {
    return this.#settings.queryClient
  }

  /** Takes new settings (same query key); a new query client moves the invalidation watch to its cache. */
  update(settings: Partial<TokenSourceSettings<TToken>>): void {
    const clientChanged = settings.queryClient !== undefined && settings.queryClient !== this.#settings.queryClient
    this.#settings = { ...this.#settings, ...settings }
    if (clientChanged && this.#unsubscribeCache) {
      this.#unsubscribeCache()
      this.#unsubscribeCache = this.#watchCache()
    }
  }

  /** Parses and times a token (throws `INVALID_TOKEN` if it cannot be read). */
  read(token: string): CurrentToken {
    const claims = readToken(token, this.procedureName, this.#settings.parseToken)
    const receivedAtMs = tokenArrivalMs(token)
    return {
      token,
      claims,
      receivedAtMs,
      timing: tokenTiming(claims, receivedAtMs, this.#settings.refreshBeforeExpirySeconds),
    }
  }

  /** The cached token if it is still fresh by its own claims, else a fetched one (joining a fetch in flight). */
  async get({ fresh, acceptUnexpired = false }: TokenGetOptions): Promise<TokenResult> {
    const { queryClient, tokenQuery } = this.#settings
    if (!fresh) {
      const cached = this.#reusableCachedToken(acceptUnexpired)
      if (cached) return { current: cached, fetched: false }
    }
    return { current: this.read(await queryClient.fetchQuery({ ...tokenQuery, staleTime: 0 })), fetched: true }
  }

  /** Invalidates the token in this tab's cache, as the app would (another tab asked for a fresh one). */
  invalidate(): Promise<void> {
    return this.#settings.queryClient.invalidateQueries({ queryKey: this.#settings.tokenQuery.queryKey, exact: true })
  }

  /** Calls `listener` when the app invalidates the token (logout, role change). */
  onInvalidate(listener: () => void): () => void {
    this.#invalidateListeners.add(listener)
    this.#unsubscribeCache ??= this.#watchCache()
    return () => {
      this.#invalidateListeners.delete(listener)
      if (this.#invalidateListeners.size > 0) return
      this.#unsubscribeCache?.()
      this.#unsubscribeCache = undefined
    }
  }

  /**
   * Calls `listener` when a token newer than the cached one lands in the cache. Observing keeps the query active,
   * so the app's `invalidateQueries` (after sign-in) refetches it: a stream in `error` recovers that way, even though
   * invalidating an already-invalidated query emits nothing. Observing never fetches by itself.
   */
  watchForNewToken(listener: () => void): () => void {
    const { queryClient, tokenQuery } = this.#settings
    const seenUpdates = queryClient.getQueryState(tokenQuery.queryKey)?.dataUpdateCount ?? 0
    const observer = new QueryObserver(queryClient, {
      ...tokenQuery,
      refetchOnMount: false,
      refetchOnWindowFocus: false,
      refetchOnReconnect: false,
      retryOnMount: false,
    })
    return observer.subscribe((result) => {
      if (result.isSuccess && observer.getCurrentQuery().state.dataUpdateCount > seenUpdates) listener()
    })
  }

  /**
   * The cached token, unless it is stale by its claims or the app invalidated it. A query left invalidated by a
   * failed fetch (status `error`) still offers its token: the outage, not the token, was the problem.
   */
  #reusableCachedToken(acceptUnexpired: boolean): CurrentToken | undefined {
    const { queryClient, tokenQuery } = this.#settings
    const state = queryClient.getQueryState<TToken>(tokenQuery.queryKey)
    if (typeof state?.data !== 'string') return undefined
    if (state.isInvalidated && state.status !== 'error') return undefined
    let cached: CurrentToken
    try {
      cached = this.read(state.data)
    } catch {
      return undefined
    }
    const usableUntilMs = acceptUnexpired ? cached.timing.expiresAtMs : cached.timing.refreshAtMs
    return cached.receivedAtMs > this.#invalidatedAtMs && Date.now() < usableUntilMs ? cached : undefined
  }

  #watchCache(): () => void {
    return this.#settings.queryClient.getQueryCache().subscribe((event) => {
      if (event.type !== 'updated' || event.action.type !== 'invalidate') return
      if (event.query.queryHash !== this.queryHash) return
      this.#invalidatedAtMs = Date.now()
      for (const listener of this.#invalidateListeners) listener()
    })
  }
}

/** A token query with the token's branded type forgotten: the cache holds it as a plain string. */
export type StoredTokenQuery = FetchQueryOptions<string, Error, string, QueryKey>

/**
 * Forgets the branded token type of a token query (`DurableIteratorToken<…>` is a `string` at run time). The brand
 * only informs the caller's types, and the function types in query options make the two not assignable.
 */
export function asStoredTokenQuery<TToken extends string>(
  tokenQuery: FetchQueryOptions<TToken, Error, TToken, QueryKey>,
): StoredTokenQuery {
  return tokenQuery as unknown as StoredTokenQuery
}
