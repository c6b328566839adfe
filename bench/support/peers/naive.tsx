import { QueryClient, useQuery, useQueryClient } from '@tanstack/react-query'
import { useWebSocket as usePartySocketWebSocket } from 'partysocket/react'
import { useEffect, useState } from 'react'
import WS from 'ws'
import {
  type ConsumerProps,
  durableClientOver,
  type PeerContext,
  queryProviders,
  readEvents,
  type StreamPeer,
  upgradeUrl,
  useEventList,
  useLatest,
} from './shared'
import { type PeerVariant, TUNED_PARTYSOCKET_OPTIONS, TUNED_RETRY_DELAY_MS } from './tuned'

// naive: per component, useQuery for the token and partysocket's React hook with an async URL provider that reads
// the token through the query (fetchQuery, so a stale token is refetched). Tokens are not refreshed on the live
// socket: the server closes it at expiry and partysocket reconnects with a new one. Tuned: partysocket and the retry
// plugin with the delays in ./tuned.ts.

export function naivePeer(
  { app, durableUrl, tokenTtlSeconds, refreshBeforeExpirySeconds }: PeerContext,
  { tuned }: PeerVariant,
): StreamPeer {
  const staleTimeMs = Math.max(0, tokenTtlSeconds - refreshBeforeExpirySeconds) * 1000
  const tokenQuery = (room: string) => app.orpc.chat.onMessage.queryOptions({ input: { room }, staleTime: staleTimeMs })

  function Consumer({ room, onEvent, onOpen }: ConsumerProps) {
    const queryClient = useQueryClient()
    useQuery(tokenQuery(room))
    const [clientId] = useState(() => crypto.randomUUID())
    const socket = usePartySocketWebSocket(
      async () => upgradeUrl(durableUrl, clientId, await queryClient.fetchQuery(tokenQuery(room))),
      undefined,
      { WebSocket: WS, ...(tuned ? TUNED_PARTYSOCKET_OPTIONS : {}), onOpen: () => onOpen?.() },
    )
    const [count, push] = useEventList()
    const latest = useLatest(onEvent)
    // Declared after usePartySocketWebSocket, so on unmount its cleanup (closing the socket) runs before this abort.
    useEffect(() => {
      const controller = new AbortController()
      readEvents(durableClientOver(socket, tuned ? TUNED_RETRY_DELAY_MS : undefined), controller.signal, (message) => {
        latest.current?.(message)
        push(message)
      }).catch(() => {
        // Aborted on unmount.
      })
      return () => controller.abort()
    }, [socket, push, latest])
    return <span>{count}</span>
  }
  return {
    name: tuned ? 'naive (tuned)' : 'naive',
    reportsGaps: false,
    Providers: queryProviders(new QueryClient()),
    Consumer,
  }
}
