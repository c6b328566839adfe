import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import type { AnyRouter, RouterClient } from '@orpc/server'
import { createTanstackQueryUtils } from '@orpc/tanstack-query'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import WebSocket from 'ws'
import {
  DurableIteratorProvider,
  type DurableIteratorProviderProps,
  type UseDurableEventIteratorResult,
} from '../../src'
import {
  type ReferenceServer,
  type ReferenceServerOptions,
  type RefuseUpgradesWith,
  startReferenceServer,
} from '../../src/server'
import type { ChatMessage, ChatMethods, ReferenceRouter } from '../../src/server/reference-app'

export const SIGNING_KEY = 'test-signing-key-that-is-long-enough-for-hs256'

/**
 * The two ways a hub can refuse an upgrade (bad token, no id): accept-then-close 4001/4000, or HTTP 401/400 before
 * upgrading, as oRPC's own server does. Run a refusal case against both:
 * `describe.each(REFUSAL_MODES)('refusals as %s', (refuseUpgradesWith) => { … startApp({ refuseUpgradesWith }) … })`.
 */
export const REFUSAL_MODES: readonly RefuseUpgradesWith[] = ['close-code', 'http-status']

/** A reference server plus a typed client of its token procedures, as an app would have them. */
export async function startApp(options: ReferenceServerOptions = {}) {
  const server = await startReferenceServer({ signingKey: SIGNING_KEY, ...options })
  return { server, ...tokenClient(server.rpcUrl) }
}

/** The reference app's oRPC client and its TanStack Query utils, counting the token calls it makes. */
export function tokenClient(rpcUrl: string) {
  return routerClient<ReferenceRouter>(rpcUrl)
}

/** An oRPC client of `TRouter` at `rpcUrl` and its TanStack Query utils, counting the calls it makes. */
export function routerClient<TRouter extends AnyRouter>(rpcUrl: string) {
  const calls = { count: 0 }
  const client: RouterClient<TRouter> = createORPCClient(
    new RPCLink({
      url: rpcUrl,
      fetch: (request, init) => {
        calls.count++
        return fetch(request, init)
      },
    }),
  )
  return { client, orpc: createTanstackQueryUtils(client), tokenCalls: calls }
}

export function createQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false } } })
}

/** Wraps a tree in a QueryClientProvider and a DurableIteratorProvider that uses `ws` in Node. */
export function providers(
  queryClient: QueryClient,
  props: Omit<DurableIteratorProviderProps, 'children'>,
): (props: { children?: ReactNode }) => ReactNode {
  return function Providers({ children }) {
    return (
      <QueryClientProvider client={queryClient}>
        <DurableIteratorProvider WebSocket={WebSocket} {...props}>
          {children}
        </DurableIteratorProvider>
      </QueryClientProvider>
    )
  }
}

export type ChatResult = UseDurableEventIteratorResult<ChatMessage, RouterClient<ChatMethods>>

/** What one mounted component saw: its latest result, every status it rendered, and the events `onEvent` gave it. */
export interface Observer<TResult> {
  result: TResult | undefined
  statuses: string[]
  received: ChatMessage[]
}

export function observer<TResult>(): Observer<TResult> {
  return { result: undefined, statuses: [], received: [] }
}

export function recordStatus(seen: Observer<unknown>, status: string): void {
  if (seen.statuses.at(-1) !== status) seen.statuses.push(status)
}

/** Publishes `count` numbered chat messages to `channel`, one every `intervalMs`, and resolves when done. */
export function publishNumbered(
  server: ReferenceServer,
  channel: string,
  { count, intervalMs, from = 0 }: { count: number; intervalMs: number; from?: number },
): Promise<void> {
  return new Promise((resolve) => {
    let next = from
    const timer = setInterval(() => {
      const message: ChatMessage = { text: String(next), from: 'publisher', sentAtMs: Date.now() }
      server.publish(channel, message)
      next++
      if (next >= from + count) {
        clearInterval(timer)
        resolve()
      }
    }, intervalMs)
  })
}

/** The numbers 0…n-1 as strings, for comparing with received message texts. */
export function numbered(count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, index) => String(from + index))
}

/** Lets `ms` pass, to observe that nothing happens in that window (never to wait for an event). */
export function observeFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
