import { QueryClient } from '@tanstack/react-query'
import { WebSocket as PartySocket } from 'partysocket'
import { useEffect } from 'react'
import WS from 'ws'
import type { ChatMessage } from '../../../src/server/reference-app'
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

// upstream-style: what oRPC's DurableIteratorLinkPlugin does for each iterator (its client cannot be used here as
// is: it parses its own token format, not the JWTs this hub issues). Per consumer: call the token procedure (no
// shared cache), open its own partysocket with default options, subscribe through RPCLink + ClientRetryPlugin, and
// run one refresh timer that calls the procedure again before expiry and sends updateToken on the live socket.
// Tuned: partysocket, the retry plugin and the refresh retry with the delays in ./tuned.ts.

/** How long a failed token refresh waits before it tries again, like the retry plugin's default delay. */
const UPSTREAM_REFRESH_RETRY_MS = 2000

function readClaims(token: string): { chn: string; exp: number; tags?: string[] } {
  const payload = token.split('.')[1] ?? ''
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
}

function openUpstreamStyleIterator(options: {
  fetchToken: () => Promise<string>
  durableUrl: string
  refreshBeforeExpirySeconds: number
  onEvent: (message: ChatMessage) => void
  onOpen: () => void
  tuned: boolean
}): () => void {
  const retryMs = options.tuned ? TUNED_RETRY_DELAY_MS : UPSTREAM_REFRESH_RETRY_MS
  let finished = false
  let refreshTimer: ReturnType<typeof setTimeout> | undefined
  let socket: PartySocket | undefined
  const controller = new AbortController()
  const fetchToken = async () => {
    const token = await options.fetchToken()
    return { token, claims: readClaims(token) }
  }

  void (async () => {
    let current = await fetchToken()
    if (finished) return
    const clientId = crypto.randomUUID()
    const websocket = new PartySocket(async () => upgradeUrl(options.durableUrl, clientId, current.token), undefined, {
      WebSocket: WS,
      ...(options.tuned ? TUNED_PARTYSOCKET_OPTIONS : {}),
    })
    socket = websocket
    websocket.addEventListener('open', options.onOpen)
    const client = durableClientOver(websocket, options.tuned ? TUNED_RETRY_DELAY_MS : undefined)

    const scheduleRefresh = () => {
      if (finished) return
      const first = refreshTimer === undefined
      const dueMs = (current.claims.exp - options.refreshBeforeExpirySeconds) * 1000 - Date.now()
      refreshTimer = setTimeout(
        async () => {
          let next: typeof current | undefined
          while (!next) {
            try {
              next = await fetchToken()
            } catch {
              if (finished) return
              await new Promise((resolve) => setTimeout(resolve, retryMs))
            }
          }
          if (finished) return
          const sameStream =
            next.claims.chn === current.claims.chn &&
            JSON.stringify(next.claims.tags) === JSON.stringify(current.claims.tags)
          current = next
          scheduleRefresh()
          if (sameStream) await client.updateToken({ token: current.token }).catch(() => {})
          else websocket.reconnect()
        },
        Math.max(first ? 0 : retryMs, dueMs),
      )
    }
    scheduleRefresh()
    await readEvents(client, controller.signal, options.onEvent)
  })().catch(() => {
    // Aborted on unmount, or the first token call failed (the plugin would throw it to the caller).
  })

  return () => {
    finished = true
    clearTimeout(refreshTimer)
    // Close first: the link then closes its requests, so the abort below sends nothing over a closed socket (oRPC's
    // peer would throw that from an event listener, uncaught).
    socket?.close()
    controller.abort()
  }
}

export function upstreamStylePeer(
  { app, durableUrl, refreshBeforeExpirySeconds }: PeerContext,
  { tuned }: PeerVariant,
): StreamPeer {
  function Consumer({ room, onEvent, onOpen }: ConsumerProps) {
    const [count, push] = useEventList()
    const latest = useLatest(onEvent)
    const latestOnOpen = useLatest(onOpen)
    useEffect(
      () =>
        openUpstreamStyleIterator({
          fetchToken: () => app.client.chat.onMessage({ room }),
          durableUrl,
          refreshBeforeExpirySeconds,
          onEvent: (message) => {
            latest.current?.(message)
            push(message)
          },
          onOpen: () => latestOnOpen.current?.(),
          tuned,
        }),
      [room, push, latest, latestOnOpen],
    )
    return <span>{count}</span>
  }
  return {
    name: tuned ? 'upstream-style (tuned)' : 'upstream-style',
    reportsGaps: false,
    Providers: queryProviders(new QueryClient()),
    Consumer,
  }
}
