import type { DataTag, FetchQueryOptions, QueryKey } from '@tanstack/query-core'
import { DEV, withGuidance } from '../dev.js'
import { DurableIteratorError } from '../errors.js'
import { parseDurableIteratorToken, readToken, type TokenParser } from './parse-token.js'
import { recordTokenArrival, tokenArrivalMs } from './token-arrival.js'
import {
  isProcedureUtils,
  procedureNameOf,
  type TokenProcedure,
  type TokenProcedureClient,
  type TokenProcedureUtils,
} from './token-procedure.js'
import { tokenTiming } from './token-timing.js'

export interface DurableIteratorTokenQueryOptions {
  /**
   * The token's query key. Required with a plain oRPC client (it cannot tell its own path); procedure
   * utils give it with `queryKey({ input })`.
   */
  queryKey?: QueryKey
  /**
   * A token counts as stale this long before it expires, so every reconnect and every refresh gets one
   * with time left. Capped at half the token's lifetime.
   * @default 30
   */
  refreshBeforeExpirySeconds?: number
  /**
   * A token call that takes longer is aborted and retried.
   * @default 10000
   */
  tokenTimeoutMs?: number
  /** Reads claims from a token. @default JWT and oRPC signed values */
  parseToken?: TokenParser
}

/** A token's query options, usable with `fetchQuery`, `prefetchQuery`, `ensureQueryData` and `useQuery`. */
export type DurableIteratorTokenQuery<TOutput> = FetchQueryOptions<TOutput, Error, TOutput, QueryKey> & {
  queryKey: DataTag<QueryKey, TOutput, Error>
}

export const DEFAULT_REFRESH_BEFORE_EXPIRY_SECONDS = 30
export const DEFAULT_TOKEN_TIMEOUT_MS = 10_000

/** Calls the procedure, aborting it (and rejecting with `TOKEN_TIMEOUT`) after `timeoutMs`. */
async function callWithTimeout<TOutput>(
  call: (signal: AbortSignal) => Promise<TOutput>,
  procedureName: string,
  timeoutMs: number,
  outerSignal: AbortSignal,
): Promise<TOutput> {
  const controller = new AbortController()
  const abort = () => controller.abort(outerSignal.reason)
  outerSignal.addEventListener('abort', abort, { once: true })
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DurableIteratorError(
        'TOKEN_TIMEOUT',
        withGuidance(
          `The token procedure "${procedureName}" did not answer within ${timeoutMs} ms; retrying.`,
          DEV && 'Raise `tokenTimeoutMs` if it is legitimately slow.',
        ),
      )
      controller.abort(error)
      reject(error)
    }, timeoutMs)
  })
  try {
    return await Promise.race([call(controller.signal), timeout])
  } finally {
    clearTimeout(timer)
    outerSignal.removeEventListener('abort', abort)
  }
}

/**
 * The query options of a stream's token: key, a `queryFn` that calls the procedure (with a timeout and a
 * shape check), and a `staleTime` that makes the token stale `refreshBeforeExpirySeconds` before it expires.
 * Use them to prefetch or dehydrate the token, or to invalidate it on logout.
 */
export function durableIteratorTokenOptions<TInput, TOutput extends string>(
  procedure: TokenProcedureUtils<TInput, TOutput>,
  input: TInput,
  options?: DurableIteratorTokenQueryOptions,
): DurableIteratorTokenQuery<TOutput>
/** A plain oRPC client function cannot tell its own path: it needs `queryKey`. */
export function durableIteratorTokenOptions<TInput, TOutput extends string>(
  procedure: TokenProcedureClient<TInput, TOutput>,
  input: TInput,
  options: DurableIteratorTokenQueryOptions & { queryKey: QueryKey },
): DurableIteratorTokenQuery<TOutput>
export function durableIteratorTokenOptions<TInput, TOutput extends string>(
  procedure: TokenProcedure<TInput, TOutput>,
  input: TInput,
  options: DurableIteratorTokenQueryOptions = {},
): DurableIteratorTokenQuery<TOutput> {
  const queryKey = options.queryKey ?? (isProcedureUtils(procedure) ? procedure.queryKey({ input }) : undefined)
  if (!queryKey) {
    throw new DurableIteratorError(
      'INVALID_TOKEN',
      withGuidance(
        'A plain oRPC client function needs `queryKey`.',
        DEV &&
          'It cannot tell its own path: pass `queryKey` in the options, or pass procedure utils from ' +
            '@orpc/tanstack-query (e.g. `orpc.chat.onMessage`) instead.',
      ),
    )
  }
  const procedureName = procedureNameOf(queryKey)
  const parse = options.parseToken ?? parseDurableIteratorToken
  const marginSeconds = options.refreshBeforeExpirySeconds ?? DEFAULT_REFRESH_BEFORE_EXPIRY_SECONDS
  const timeoutMs = options.tokenTimeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS
  const call = (signal: AbortSignal) =>
    isProcedureUtils(procedure) ? procedure.call(input, { signal }) : procedure(input, { signal })

  return {
    // Tagged with the token's type, so `queryClient.getQueryData(options.queryKey)` is typed.
    queryKey: queryKey as DataTag<QueryKey, TOutput, Error>,
    queryFn: async ({ signal }): Promise<TOutput> => {
      const token = await callWithTimeout(call, procedureName, timeoutMs, signal)
      readToken(token, procedureName, parse)
      recordTokenArrival(token, Date.now())
      return token
    },
    staleTime: (query) => {
      const token = query.state.data
      if (typeof token !== 'string') return 0
      try {
        // Timed from the local arrival (a hydrated token's dataUpdatedAt is on the server's clock), so that this
        // and the connection's refresh timer judge expiry alike; TanStack Query adds the result to dataUpdatedAt.
        const timing = tokenTiming(parse(token), tokenArrivalMs(token), marginSeconds)
        return Math.max(0, timing.refreshAtMs - query.state.dataUpdatedAt)
      } catch {
        return 0
      }
    },
    // Retries are the connection's business (with backoff, online checks and a clear status).
    retry: false,
    meta: { durableIteratorToken: procedureName },
  }
}
