import { createORPCClient } from '@orpc/client'
import { ClientRetryPlugin, type ClientRetryPluginContext } from '@orpc/client/plugins'
import { RPCLink } from '@orpc/client/websocket'
import type { ContractRouterClient } from '@orpc/contract'
import { type QueryClient, QueryClientProvider } from '@tanstack/react-query'
import type { WebSocket as PartySocket } from 'partysocket'
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react'
import type { DurableIteratorContract } from '../../../src/protocol/contract'
import type { ChatMessage } from '../../../src/server/reference-app'
import type { tokenClient } from '../../../tests/client/harness'
import type { PeerName } from '../results'

/** The app's oRPC client of the token procedures and its TanStack Query utils (the server may be in another process). */
export type App = ReturnType<typeof tokenClient>

export interface PeerContext {
  app: App
  /** The durable endpoint the consumers connect to (the server's, or a fault proxy in front of it). */
  durableUrl: string
  /** Lifetime of the server's tokens: the naive peer sets its token query's staleTime from it. */
  tokenTtlSeconds: number
  /** Every peer that refreshes a token does it this long before expiry (ours: `refreshBeforeExpirySeconds`). */
  refreshBeforeExpirySeconds: number
  /** Ours only: how long a connection outlives its last component. @default the provider's default */
  lingerMs?: number
}

export interface ConsumerProps {
  room: string
  /** Called once per event the consumer's stream delivers, in the order it delivers them. */
  onEvent?: (message: ChatMessage) => void
  /** Called when the consumer's socket is open (ours: when its stream is `open`, i.e. subscribed). */
  onOpen?: () => void
  /** Called when the stream tells the app that events may have been lost (ours: `onGap`; the others cannot). */
  onGap?: () => void
}

/** One way of streaming a chat room into React components: a provider tree and a consuming component. */
export interface StreamPeer {
  name: PeerName
  /** Whether it can tell the app that events were lost (calls `onGap`). */
  reportsGaps: boolean
  Providers: (props: { children?: ReactNode }) => ReactNode
  /** Renders how many events it holds; it keeps the newest 100, as ours does by default. */
  Consumer: (props: ConsumerProps) => ReactNode
}

const MAX_EVENTS = 100

/** The newest MAX_EVENTS events as React state, for the peers that have no buffer of their own. */
export function useEventList(): [number, (message: ChatMessage) => void] {
  const [events, setEvents] = useState<readonly ChatMessage[]>([])
  const push = useCallback((message: ChatMessage) => {
    setEvents((previous) =>
      previous.length >= MAX_EVENTS
        ? [...previous.slice(previous.length - MAX_EVENTS + 1), message]
        : [...previous, message],
    )
  }, [])
  return [events.length, push]
}

export function useLatest<T>(value: T) {
  const ref = useRef(value)
  ref.current = value
  return ref
}

export function useOnOpen(open: boolean, onOpen: (() => void) | undefined): void {
  const latest = useLatest(onOpen)
  useEffect(() => {
    if (open) latest.current?.()
  }, [open, latest])
}

/** The upgrade URL as oRPC's durable iterator expects it: a stable client id and the token. */
export function upgradeUrl(durableUrl: string, clientId: string, token: string): string {
  const url = new URL(durableUrl)
  url.searchParams.set('id', clientId)
  url.searchParams.set('token', token)
  return url.toString()
}

export function queryProviders(queryClient: QueryClient) {
  return function Providers({ children }: { children?: ReactNode }) {
    return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
  }
}

// The oRPC client side shared by the naive and upstream-style peers: oRPC's websocket RPCLink over a partysocket,
// with ClientRetryPlugin so that `subscribe` (retry: Infinity) resumes from the last event id after a drop.

export type DurableClient = ContractRouterClient<DurableIteratorContract, ClientRetryPluginContext>

/** oRPC's client over `socket`; `retryDelayMs` replaces the retry plugin's default delay (2 s) when given. */
export function durableClientOver(socket: PartySocket, retryDelayMs?: number): DurableClient {
  // partysocket types readyState as number; oRPC's link wants the WebSocket constants.
  const websocket = socket as unknown as ConstructorParameters<typeof RPCLink>[0]['websocket']
  const retry = new ClientRetryPlugin(retryDelayMs === undefined ? {} : { default: { retryDelay: retryDelayMs } })
  return createORPCClient(new RPCLink<ClientRetryPluginContext>({ websocket, plugins: [retry] }))
}

/** Subscribes with retry Infinity and calls `onEvent` per event until `signal` aborts. */
export async function readEvents(
  client: DurableClient,
  signal: AbortSignal,
  onEvent: (message: ChatMessage) => void,
): Promise<void> {
  const iterator = await client.subscribe(undefined, { context: { retry: Number.POSITIVE_INFINITY }, signal })
  while (!signal.aborted) {
    const result = await iterator.next()
    if (result.done) return
    onEvent(result.value as ChatMessage)
  }
}
