// @vitest-environment jsdom
import { cleanup, render, waitFor } from '@testing-library/react'
import { afterEach, expect, it } from 'vitest'
import { useDurableEventIterator } from '../../src'
import { HEARTBEAT_REQUEST_ID } from '../../src/protocol/heartbeat'
import {
  type ChatResult,
  createQueryClient,
  type Observer,
  observer,
  providers,
  publishNumbered,
  recordStatus,
  startApp,
} from '../client/harness'
import { FaultProxy } from '../support/fault-proxy'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  cleanup()
  for (const close of closers.splice(0)) await close()
})

type App = Awaited<ReturnType<typeof startApp>>

/** The app behind a fault proxy, and one component that records every event `onEvent` gives it. */
async function streamThroughProxy(room: string, props: Partial<Parameters<typeof providers>[1]> = {}) {
  const app = await startApp()
  const proxy = await FaultProxy.start(app.server.durableUrl)
  closers.push(
    () => proxy.close(),
    () => app.server.close(),
  )
  const seen = observer<ChatResult>()
  /** Every error message the component rendered, in order. */
  const errors: string[] = []
  function Chat() {
    const result = useDurableEventIterator(
      app.orpc.chat.onMessage,
      { room },
      { maxEvents: 5000, onEvent: (message) => seen.received.push(message) },
    )
    seen.result = result
    recordStatus(seen, result.status)
    if (result.error && errors.at(-1) !== result.error.message) errors.push(result.error.message)
    return null
  }
  const Providers = providers(createQueryClient(), { url: proxy.via(app.server.durableUrl), ...props })
  render(
    <Providers>
      <Chat />
    </Providers>,
  )
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  return { app, proxy, seen, errors }
}

function expectEachOnceInOrder(seen: Observer<ChatResult>, count: number) {
  const texts = seen.received.map((message) => Number(message.text))
  expect(texts).toEqual(Array.from({ length: count }, (_, index) => index))
}

async function waitForReopen(app: App, seen: Observer<ChatResult>, upgradesBefore: number) {
  await waitFor(() => {
    expect(app.server.stats().upgradesAccepted).toBeGreaterThan(upgradesBefore)
    expect(seen.result?.status).toBe('open')
  })
}

it('100 forced drops while events flow at 200/s: 0 lost, 0 duplicated, in order', { timeout: 120_000 }, async () => {
  const { app, proxy, seen } = await streamThroughProxy('drops')
  let publishing = true
  let published = 0
  const publisher = (async () => {
    while (publishing) {
      await publishNumbered(app.server, 'chat:drops', { count: 20, intervalMs: 5, from: published })
      published += 20
    }
  })()

  for (let drop = 0; drop < 100; drop++) {
    const upgradesBefore = app.server.stats().upgradesAccepted
    proxy.drop()
    await waitForReopen(app, seen, upgradesBefore)
  }
  publishing = false
  await publisher
  await waitFor(() => expect(seen.received).toHaveLength(published))

  expectEachOnceInOrder(seen, published)
  const stats = app.server.stats()
  expect(stats.upgradesAccepted).toBe(101)
  expect(stats.eventsReplayed).toBeGreaterThan(0)
  expect(stats.resumeGaps).toBe(0)
  expect(seen.result?.gaps).toBe(0)
})

it('a half-open connection (stalled, no close) is detected by the heartbeat and replaced, losing nothing', async () => {
  const { app, proxy, seen, errors } = await streamThroughProxy('stall', {
    heartbeat: { intervalMs: 300, timeoutMs: 300 },
  })
  await publishNumbered(app.server, 'chat:stall', { count: 10, intervalMs: 5 })
  await waitFor(() => expect(seen.received).toHaveLength(10))

  proxy.stall()
  await publishNumbered(app.server, 'chat:stall', { count: 10, intervalMs: 5, from: 10 })
  await waitFor(() => expect(seen.received).toHaveLength(20), { timeout: 10_000 })

  expectEachOnceInOrder(seen, 20)
  expect(app.server.stats().upgradesAccepted).toBe(2)
  expect(seen.statuses).toEqual(['connecting', 'open', 'reconnecting', 'open'])
  // Replaced by the heartbeat, not by a close: the error says so (the exact intervalMs + timeoutMs bound is held
  // under fake timers in tests/core/heartbeat.test.ts).
  expect(errors).toContainEqual(expect.stringMatching(/No answer to a heartbeat within 300 ms after 300 ms/))
})

it('a quiet but healthy connection answers the heartbeat and is kept', async () => {
  const { app, proxy, seen } = await streamThroughProxy('quiet', { heartbeat: { intervalMs: 100, timeoutMs: 200 } })
  const answers = proxy.watchServerFrames(`"i":"${HEARTBEAT_REQUEST_ID}"`)
  // Heartbeat intervals of silence pass: each probe is answered on the wire, and the socket stays.
  await waitFor(() => expect(answers()).toBeGreaterThanOrEqual(5), { timeout: 10_000 })
  expect(app.server.stats().eventsPublished).toBe(0)
  await publishNumbered(app.server, 'chat:quiet', { count: 3, intervalMs: 5 })
  await waitFor(() => expect(seen.received).toHaveLength(3))
  expect(app.server.stats().upgradesAccepted).toBe(1)
  expect(seen.statuses).toEqual(['connecting', 'open'])
})

it('slow links (200 ms each way) still deliver every event once, in order', async () => {
  const { app, proxy, seen } = await streamThroughProxy('slow')
  proxy.delay(200)
  await publishNumbered(app.server, 'chat:slow', { count: 50, intervalMs: 10 })
  await waitFor(() => expect(seen.received).toHaveLength(50), { timeout: 10_000 })
  expectEachOnceInOrder(seen, 50)
})
