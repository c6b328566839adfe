import { QueryClient, useQueryClient } from '@tanstack/react-query'
import { useCallback } from 'react'
import useWebSocket, { ReadyState } from 'react-use-websocket'
import type { ChatMessage } from '../../../src/server/reference-app'
import {
  type ConsumerProps,
  type PeerContext,
  queryProviders,
  type StreamPeer,
  upgradeUrl,
  useEventList,
  useOnOpen,
} from './shared'
import { type PeerVariant, TUNED_REACT_USE_WEBSOCKET_OPTIONS } from './tuned'

// react-use-websocket: useWebSocket with share: true (one socket per URL), shouldReconnect, and an async URL that
// fetches the token through the query cache. It has no notion of oRPC, so this peer adds the least it needs: on
// each open, one subscribe frame per socket (with the last event id seen, to resume), and each component reads
// event frames in onMessage. It never refreshes a token on a live socket, and it does not drop duplicates. Tuned:
// the reconnect interval and attempts in ./tuned.ts.

const SUBSCRIBE_REQUEST_ID = '1'

interface SharedStream {
  lastEventId: string | undefined
  subscribedSockets: WeakSet<object>
}

function subscribeFrame(lastEventId: string | undefined): string {
  const headers = lastEventId === undefined ? {} : { 'last-event-id': lastEventId }
  return JSON.stringify({ i: SUBSCRIBE_REQUEST_ID, p: { u: '/subscribe', b: {}, h: headers } })
}

function readEventFrame(data: unknown): { id: string | undefined; message: ChatMessage } | undefined {
  if (typeof data !== 'string') return undefined
  const frame = JSON.parse(data) as {
    i?: string
    t?: number
    p?: { e?: string; d?: { json?: unknown }; m?: { id?: string } }
  }
  if (frame.i !== SUBSCRIBE_REQUEST_ID || frame.t !== 3 || frame.p?.e !== 'message') return undefined
  return { id: frame.p.m?.id, message: frame.p.d?.json as ChatMessage }
}

export function reactUseWebSocketPeer(
  { app, durableUrl, tokenTtlSeconds, refreshBeforeExpirySeconds }: PeerContext,
  { tuned }: PeerVariant,
): StreamPeer {
  const staleTimeMs = Math.max(0, tokenTtlSeconds - refreshBeforeExpirySeconds) * 1000
  const tokenQuery = (room: string) => app.orpc.chat.onMessage.queryOptions({ input: { room }, staleTime: staleTimeMs })
  // share: true shares a socket between components whose URL is the same: one client id per app and room.
  const streams = new Map<string, SharedStream & { clientId: string }>()
  const streamOf = (room: string) => {
    let stream = streams.get(room)
    if (!stream) {
      stream = { clientId: crypto.randomUUID(), lastEventId: undefined, subscribedSockets: new WeakSet() }
      streams.set(room, stream)
    }
    return stream
  }

  function Consumer({ room, onEvent, onOpen }: ConsumerProps) {
    const queryClient = useQueryClient()
    const stream = streamOf(room)
    const url = useCallback(
      async () => upgradeUrl(durableUrl, stream.clientId, await queryClient.fetchQuery(tokenQuery(room))),
      [queryClient, room, stream],
    )
    const [count, push] = useEventList()
    const { readyState } = useWebSocket(url, {
      share: true,
      shouldReconnect: () => true,
      ...(tuned ? TUNED_REACT_USE_WEBSOCKET_OPTIONS : {}),
      onOpen: (event) => {
        const socket = event.target as WebSocket
        if (stream.subscribedSockets.has(socket)) return
        stream.subscribedSockets.add(socket)
        socket.send(subscribeFrame(stream.lastEventId))
      },
      onMessage: (event) => {
        const received = readEventFrame(event.data)
        if (!received) return
        if (received.id !== undefined) stream.lastEventId = received.id
        onEvent?.(received.message)
        push(received.message)
      },
    })
    useOnOpen(readyState === ReadyState.OPEN, onOpen)
    return <span>{count}</span>
  }
  return {
    name: tuned ? 'react-use-websocket (tuned)' : 'react-use-websocket',
    reportsGaps: false,
    Providers: queryProviders(new QueryClient()),
    Consumer,
  }
}
