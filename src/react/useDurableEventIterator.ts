import { type ClientLink, createORPCClient } from '@orpc/client'
import { hashKey, type QueryKey } from '@tanstack/query-core'
import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react'
import { createDurableConnection } from '../connection/create-connection.js'
import type { ListenerErrorHandler } from '../connection/listener-errors.js'
import { CONNECTING_SNAPSHOT, type DurableConnectionSnapshot, IDLE_SNAPSHOT } from '../connection/snapshot.js'
import { DurableIteratorError } from '../errors.js'
import type { InferTokenEvent, InferTokenMethods } from '../protocol/claims.js'
import type { TokenProcedure, TokenProcedureClient, TokenProcedureUtils } from '../token/token-procedure.js'
import { durableIteratorTokenOptions } from '../token/token-query-options.js'
import { useDurableIteratorContext } from './durable-iterator-context.js'
import { useIsomorphicLayoutEffect } from './use-isomorphic-layout-effect.js'

export interface UseDurableEventIteratorOptions<TEvent> {
  /** When false, no connection is made and the status is `idle`. @default true */
  enabled?: boolean
  /** How many of the newest events `events` holds. @default 100 */
  maxEvents?: number
  /** Called once for every new event, in order. */
  onEvent?: (event: TEvent) => void
  /** Called when the server reports that events after the resume point were lost (see `gaps`). */
  onGap?: () => void
  /**
   * Called when `onEvent` or `onGap` throws (code `LISTENER_FAILED`, the thrown value as `cause`); the stream goes
   * on either way. Without it, such errors go to `console.error`. Connection failures are `status` and `error`.
   */
  onError?: ListenerErrorHandler
  /** The token's query key; required when `procedure` is a plain oRPC client function. */
  queryKey?: QueryKey
}

export interface UseDurableEventIteratorResult<TEvent, TMethods> extends DurableConnectionSnapshot<TEvent> {
  /** Reconnect now: after `close()` or `error`, or to skip a backoff wait. */
  reconnect: () => void
  /** Close the stream (for every component sharing it); `reconnect()` reopens. */
  close: () => void
  /** The token's remote methods, called over the same socket; calls wait while it reconnects. */
  rpc: TMethods
}

const getServerSnapshot = () => IDLE_SNAPSHOT

/**
 * Subscribes to a durable event iterator. Every component that passes the same procedure and input shares one
 * socket, one token (through the TanStack Query cache) and one event buffer. The first render already shows the
 * shared stream's state (`connecting` for a stream not open yet; `idle` when disabled or on the server).
 *
 * @param procedure the oRPC procedure that returns the stream's token, as `@orpc/tanstack-query` utils
 *   (`orpc.chat.onMessage`) or as a plain client function with `options.queryKey`
 */
export function useDurableEventIterator<TInput, TOutput extends string>(
  procedure: TokenProcedureUtils<TInput, TOutput>,
  input: TInput,
  options?: UseDurableEventIteratorOptions<InferTokenEvent<TOutput>>,
): UseDurableEventIteratorResult<InferTokenEvent<TOutput>, InferTokenMethods<TOutput>>
/** With a plain oRPC client function, which cannot tell its own path, `options.queryKey` is required. */
export function useDurableEventIterator<TInput, TOutput extends string>(
  procedure: TokenProcedureClient<TInput, TOutput>,
  input: TInput,
  options: UseDurableEventIteratorOptions<InferTokenEvent<TOutput>> & { queryKey: QueryKey },
): UseDurableEventIteratorResult<InferTokenEvent<TOutput>, InferTokenMethods<TOutput>>
export function useDurableEventIterator<TInput, TOutput extends string>(
  procedure: TokenProcedure<TInput, TOutput>,
  input: TInput,
  options: UseDurableEventIteratorOptions<InferTokenEvent<TOutput>> = {},
): UseDurableEventIteratorResult<InferTokenEvent<TOutput>, InferTokenMethods<TOutput>> {
  type TEvent = InferTokenEvent<TOutput>
  const { registry, settings } = useDurableIteratorContext()
  const { enabled = true, maxEvents = 100 } = options
  // One implementation for both overloads: a plain client without `queryKey` (untyped callers) throws, naming it.
  const tokenQuery = durableIteratorTokenOptions(procedure as TokenProcedureClient<TInput, TOutput>, input, {
    queryKey: options.queryKey as QueryKey,
    refreshBeforeExpirySeconds: settings.refreshBeforeExpirySeconds,
    tokenTimeoutMs: settings.tokenTimeoutMs,
    parseToken: settings.parseToken,
  })
  const key = hashKey(tokenQuery.queryKey)

  // Written after commit: a render React throws away must not swap in its callbacks.
  const latest = useRef({ tokenQuery, onEvent: options.onEvent, onGap: options.onGap, onError: options.onError })
  useIsomorphicLayoutEffect(() => {
    latest.current = { tokenQuery, onEvent: options.onEvent, onGap: options.onGap, onError: options.onError }
  })

  // The stream's identity is its key: maxEvents and the token query's options reach it below, settings through
  // the provider.
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  useEffect(() => {
    if (!enabled) return
    const lease = registry.acquire(key, () =>
      createDurableConnection<TEvent, TOutput>({ ...settings, tokenQuery: latest.current.tokenQuery, maxEvents }),
    )
    const onError: ListenerErrorHandler = (error) => {
      const handler = latest.current.onError
      if (handler) handler(error)
      else console.error(error)
    }
    const stopEvents = lease.connection.onEvent((event) => latest.current.onEvent?.(event), onError)
    const stopGaps = lease.connection.onGap(() => latest.current.onGap?.(), onError)
    return () => {
      stopEvents()
      stopGaps()
      lease.release()
    }
  }, [registry, key, enabled])

  // biome-ignore lint/correctness/useExhaustiveDependencies: the token query changes when these settings do
  useEffect(() => {
    const connection = enabled ? registry.peek<TEvent>(key) : undefined
    connection?.ensureCapacity(maxEvents)
    connection?.setTokenQuery(latest.current.tokenQuery)
  }, [
    registry,
    key,
    enabled,
    maxEvents,
    settings.tokenTimeoutMs,
    settings.parseToken,
    settings.refreshBeforeExpirySeconds,
  ])

  const subscribe = useCallback((listener: () => void) => registry.subscribe(key, listener), [registry, key])
  // Read during render, by key: the first render shows the shared stream, and a render for a new input never
  // shows the previous stream's state.
  const getSnapshot = useCallback((): DurableConnectionSnapshot<TEvent> => {
    if (!enabled) return IDLE_SNAPSHOT
    const connection = registry.peek<TEvent>(key)
    if (!connection) return CONNECTING_SNAPSHOT
    const snapshot = connection.getSnapshot()
    // A lingering stream in `error` or `closed` restarts when this component leases it.
    const restarts = !registry.isHeld(key) && (snapshot.status === 'error' || snapshot.status === 'closed')
    return restarts ? CONNECTING_SNAPSHOT : snapshot
  }, [registry, key, enabled])
  const snapshot = useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot)

  const events = useMemo(
    () => (snapshot.events.length > maxEvents ? snapshot.events.slice(-maxEvents) : snapshot.events),
    [snapshot.events, maxEvents],
  )
  const reconnect = useCallback(() => {
    if (enabled) registry.peek(key)?.reconnect()
  }, [registry, key, enabled])
  const close = useCallback(() => {
    if (enabled) registry.peek(key)?.close()
  }, [registry, key, enabled])
  const rpc = useMemo(() => {
    // Looked up per call, so a call made after this render reaches the connection an effect created.
    const link: ClientLink<Record<never, never>> = {
      call: (path, callInput, callOptions) => {
        const connection = enabled ? registry.peek(key) : undefined
        if (!connection) {
          return Promise.reject(
            new DurableIteratorError(
              'NOT_CONNECTED',
              enabled
                ? 'Cannot call a remote method before the stream has started: call it from an effect or a handler.'
                : 'Cannot call a remote method: the stream is not enabled.',
            ),
          )
        }
        return connection.rpcLink.call(path, callInput, callOptions)
      },
    }
    return createORPCClient(link) as InferTokenMethods<TOutput>
  }, [registry, key, enabled])
  return useMemo(() => ({ ...snapshot, events, reconnect, close, rpc }), [snapshot, events, reconnect, close, rpc])
}
