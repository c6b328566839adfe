import { getEventMeta } from '@orpc/client'
import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { durableIteratorTokenOptions, type TokenProcedureUtils, useDurableEventIterator } from 'react-durable-iterator'

export interface StreamHealth {
  received: number
  gaps: number
  reconnects: number
}

/**
 * One more user of a stream, for its connection panel: counts events, gaps in their ids (ids are
 * consecutive per channel, so any jump is a lost event) and reconnects, and reads the token query.
 */
export function useStreamHealth<TInput, TOutput extends string>(
  procedure: TokenProcedureUtils<TInput, TOutput>,
  input: TInput,
) {
  const health = useRef<StreamHealth>({ received: 0, gaps: 0, reconnects: 0 })
  const lastId = useRef<bigint>(undefined)
  const stream = useDurableEventIterator(procedure, input, {
    onEvent: (event) => {
      const id = getEventMeta(event)?.id
      health.current.received++
      if (id === undefined) return
      const next = BigInt(id)
      if (lastId.current !== undefined && next !== lastId.current + 1n) health.current.gaps++
      lastId.current = next
    },
  })

  const previousStatus = useRef(stream.status)
  useEffect(() => {
    if (previousStatus.current === 'open' && stream.status === 'reconnecting') health.current.reconnects++
    previousStatus.current = stream.status
  }, [stream.status])

  // Re-render every second for the expiry countdown and the counters kept in refs.
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])

  const queryClient = useQueryClient()
  const tokenState = queryClient.getQueryState(durableIteratorTokenOptions(procedure, input).queryKey)
  return { stream, health: { ...health.current }, tokensFetched: tokenState?.dataUpdateCount ?? 0, now }
}
