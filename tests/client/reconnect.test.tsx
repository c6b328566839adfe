// @vitest-environment jsdom
import { cleanup, render, waitFor } from '@testing-library/react'
import { afterEach, expect, it } from 'vitest'
import { useDurableEventIterator } from '../../src'
import { startReferenceServer } from '../../src/server'
import {
  type ChatResult,
  createQueryClient,
  numbered,
  type Observer,
  observer,
  providers,
  publishNumbered,
  recordStatus,
  SIGNING_KEY,
  startApp,
  tokenClient,
} from './harness'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  cleanup()
  for (const close of closers.splice(0)) await close()
})

function Chat({
  orpc,
  room,
  seen,
}: {
  orpc: ReturnType<typeof tokenClient>['orpc']
  room: string
  seen: Observer<ChatResult>
}) {
  const result = useDurableEventIterator(
    orpc.chat.onMessage,
    { room },
    { maxEvents: 1000, onEvent: (message) => seen.received.push(message) },
  )
  seen.result = result
  recordStatus(seen, result.status)
  return null
}

it('without proactive refresh, the server closes at expiry (4001) and the next attempt uses a fresh token, losing nothing', async () => {
  const app = await startApp({ tokenTtlSeconds: 2 })
  closers.push(() => app.server.close())
  const seen = observer<ChatResult>()
  const Providers = providers(createQueryClient(), {
    url: app.server.durableUrl,
    proactiveRefresh: false,
    refreshBeforeExpirySeconds: 1,
  })
  render(
    <Providers>
      <Chat orpc={app.orpc} room="expiry" seen={seen} />
    </Providers>,
  )
  await waitFor(() => expect(seen.result?.status).toBe('open'))

  // 4 s of events at 50/s spans at least one expiry.
  await publishNumbered(app.server, 'chat:expiry', { count: 200, intervalMs: 20 })
  await waitFor(() => expect(seen.received).toHaveLength(200))

  expect(seen.received.map((message) => message.text)).toEqual(numbered(200))
  const stats = app.server.stats()
  expect(stats.expiredCloses).toBeGreaterThanOrEqual(1)
  expect(stats.upgradesAccepted).toBe(stats.expiredCloses + 1)
  expect(stats.upgradesRejected).toEqual({})
  expect(stats.tokensIssued).toBe(stats.upgradesAccepted)
  expect(stats.tokenUpdates).toBe(0)
  expect(seen.statuses).toContain('reconnecting')
})

it('a server restarted on the same port: open → reconnecting → open, resuming after the last event', async () => {
  const first = await startReferenceServer({ signingKey: SIGNING_KEY })
  const port = Number(new URL(first.rpcUrl).port)
  const { orpc } = tokenClient(first.rpcUrl)
  const seen = observer<ChatResult>()
  const Providers = providers(createQueryClient(), { url: first.durableUrl })
  render(
    <Providers>
      <Chat orpc={orpc} room="restart" seen={seen} />
    </Providers>,
  )
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  await publishNumbered(first, 'chat:restart', { count: 20, intervalMs: 5 })
  await waitFor(() => expect(seen.received).toHaveLength(20))
  const lastIdBeforeRestart = seen.result!.lastEventId!

  await first.close()
  await waitFor(() => expect(seen.result?.status).toBe('reconnecting'))
  const second = await startReferenceServer({ signingKey: SIGNING_KEY, port })
  closers.push(() => second.close())

  await waitFor(() => expect(seen.result?.status).toBe('open'))
  // The resubscribe carried the last id: the new hub could not replay it, and says so.
  expect(second.stats().resumeGaps).toBe(1)
  await publishNumbered(second, 'chat:restart', { count: 20, intervalMs: 5, from: 20 })
  await waitFor(() => expect(seen.received).toHaveLength(40))

  expect(seen.received.map((message) => message.text)).toEqual(numbered(40))
  expect(BigInt(seen.result!.lastEventId!)).toBeGreaterThan(BigInt(lastIdBeforeRestart))
  expect(seen.statuses).toEqual(['connecting', 'open', 'reconnecting', 'open'])
})

it('a server that stops listening for a while: events published meanwhile are replayed on resume, none lost', async () => {
  const app = await startApp()
  closers.push(() => app.server.close())
  const seen = observer<ChatResult>()
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl, reconnect: { minDelayMs: 50 } })
  render(
    <Providers>
      <Chat orpc={app.orpc} room="outage" seen={seen} />
    </Providers>,
  )
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  await publishNumbered(app.server, 'chat:outage', { count: 10, intervalMs: 5 })
  await waitFor(() => expect(seen.received).toHaveLength(10))

  const outage = app.server.interrupt(1000)
  await waitFor(() => expect(seen.result?.status).toBe('reconnecting'))
  await publishNumbered(app.server, 'chat:outage', { count: 10, intervalMs: 5, from: 10 })
  await outage
  await waitFor(() => expect(seen.received).toHaveLength(20))

  expect(seen.received.map((message) => message.text)).toEqual(numbered(20))
  expect(app.server.stats()).toMatchObject({ eventsReplayed: 10, resumeGaps: 0 })
  expect(seen.statuses).toEqual(['connecting', 'open', 'reconnecting', 'open'])
})
