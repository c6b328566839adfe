import type { QueryKey } from '@tanstack/query-core'

/** Options a token procedure is called with. */
export interface TokenCallOptions {
  signal?: AbortSignal
}

/** `@orpc/tanstack-query` procedure utils, or anything with the same `call` and `queryKey`. */
export interface TokenProcedureUtils<TInput, TOutput> {
  call(input: TInput, options?: TokenCallOptions): Promise<TOutput>
  queryKey(options: { input: TInput }): QueryKey
}

/** A plain oRPC client function. It does not know its own path: pass `queryKey` with it. */
export type TokenProcedureClient<TInput, TOutput> = (input: TInput, options?: TokenCallOptions) => Promise<TOutput>

/** The procedure that hands out a stream's token. */
export type TokenProcedure<TInput, TOutput> =
  | TokenProcedureUtils<TInput, TOutput>
  | TokenProcedureClient<TInput, TOutput>

export function isProcedureUtils<TInput, TOutput>(
  procedure: TokenProcedure<TInput, TOutput>,
): procedure is TokenProcedureUtils<TInput, TOutput> {
  // A plain oRPC client is a Proxy whose `get` makes every property a client; it has no `has` trap, so
  // `in` tells it apart from procedure utils (a plain object). `'call' in` would be true for both.
  return (typeof procedure === 'object' || typeof procedure === 'function') && 'queryKey' in procedure
}

/** A readable name for messages: the oRPC path from the query key (`['chat','onMessage']` → `chat.onMessage`). */
export function procedureNameOf(queryKey: QueryKey): string {
  const head = queryKey[0]
  if (Array.isArray(head) && head.every((segment) => typeof segment === 'string')) return head.join('.')
  return typeof head === 'string' ? head : JSON.stringify(queryKey)
}
