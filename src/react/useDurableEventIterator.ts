import { type ClientLink, createORPCClient } from '@orpc/client'
import { hashKey, type QueryKey } from '@tanstack/react-query'
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { createDurableConnection } from '../connection/create-connection.js'
import type { DurableConnection, DurableConnectionSnapshot } from '../connection/durable-connection.js'
import { DurableIteratorError } from '../errors.js'
import type { InferTokenEvent, InferTokenMethods } from '../protocol/claims.js'
import type { TokenProcedure } from '../token/token-procedure.js'
import { durableIteratorTokenOptions } from '../token/token-query-options.js'
import { useDurableIteratorContext } from './durable-iterator-context.js'

export interface UseDurableEventIteratorOptions<TEvent> {
  /** When false, no connection is made and the status is `idle`. @default true */
  enabled?: boolean
  /** How many of the newest events `events` holds. @default 100 */
  maxEvents?: number
  /** Called once for every new event, in order. */
  onEvent?: (event: TEvent) => void
  /** Called when the server reports that events after the resume point were lost (see `gaps`). */
  onGap?: () => void
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

const IDLE_SNAPSHOT: DurableConnectionSnapshot<never> = {
  status: 'idle',
  events: [],
  lastEvent: undefined,
  lastEventId: undefined,
  error: undefined,
  attempt: 0,
  tokenExpiresAt: undefined,
  gaps: 0,
}
const getIdleSnapshot = () => IDLE_SNAPSHOT
const subscribeNowhere = () => () => {}
const notConnectedLink: ClientLink<Record<never, never>> = {
  call: () =>
    Promise.reject(
      new DurableIteratorError('NOT_CONNECTED', 'Cannot call a remote method: the stream is not enabled.'),
    ),
}

/**
 * Subscribes to a durable event iterator. Every component that passes the same procedure and input
 * shares one socket, one token (through the TanStack Query cache) and one event buffer.
 *
 * @param procedure the oRPC procedure that returns the stream's token, as `@orpc/tanstack-query` utils
 *   (`orpc.chat.onMessage`) or as a plain client function with `options.queryKey`
 */
export function useDurableEventIterator<TInput, TOutput extends string>(
  procedure: TokenProcedure<TInput, TOutput>,
  input: TInput,
  options: UseDurableEventIteratorOptions<InferTokenEvent<TOutput>> = {},
): UseDurableEventIteratorResult<InferTokenEvent<TOutput>, InferTokenMethods<TOutput>> {
  type TEvent = InferTokenEvent<TOutput>
  const { registry, settings } = useDurableIteratorContext()
  const { enabled = true, maxEvents = 100, onEvent, onGap } = options
  const tokenQuery = durableIteratorTokenOptions(procedure, input, {
    queryKey: options.queryKey,
    refreshBeforeExpirySeconds: settings.refreshBeforeExpirySeconds,
    tokenTimeoutMs: settings.tokenTimeoutMs,
    parseToken: settings.parseToken,
  })
  const key = hashKey(tokenQuery.queryKey)
  const latest = useRef({ tokenQuery, onEvent, onGap })
  latest.current = { tokenQuery, onEvent, onGap }

  const [connection, setConnection] = useState<DurableConnection<TEvent>>()
  // The stream's identity is its key: maxEvents only sizes a new connection (later changes go through
  // ensureCapacity below) and settings are read when it is created.
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  useEffect(() => {
    if (!enabled) return
    const lease = registry.acquire(key, () =>
      createDurableConnection<TEvent, TOutput>({
        ...settings,
        tokenQuery: latest.current.tokenQuery,
        maxEvents,
      }),
    )
    setConnection(lease.connection)
    return () => {
      lease.release()
      setConnection(undefined)
    }
  }, [registry, key, enabled])

  useEffect(() => connection?.ensureCapacity(maxEvents), [connection, maxEvents])
  useEffect(() => connection?.onEvent((event) => latest.current.onEvent?.(event)), [connection])
  useEffect(() => connection?.onGap(() => latest.current.onGap?.()), [connection])

  const snapshot = useSyncExternalStore(
    connection ? connection.subscribe : subscribeNowhere,
    connection ? connection.getSnapshot : getIdleSnapshot,
    getIdleSnapshot,
  )
  const events = useMemo(
    () => (snapshot.events.length > maxEvents ? snapshot.events.slice(-maxEvents) : snapshot.events),
    [snapshot.events, maxEvents],
  )
  const reconnect = useCallback(() => connection?.reconnect(), [connection])
  const close = useCallback(() => connection?.close(), [connection])
  const rpc = useMemo(
    () => createORPCClient(connection ? connection.rpcLink : notConnectedLink) as InferTokenMethods<TOutput>,
    [connection],
  )
  return useMemo(() => ({ ...snapshot, events, reconnect, close, rpc }), [snapshot, events, reconnect, close, rpc])
}
