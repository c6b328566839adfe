// @vitest-environment jsdom
import { onlineManager } from '@tanstack/react-query'
import { cleanup, render, waitFor } from '@testing-library/react'
import { afterEach, expect, it } from 'vitest'
import { useDurableEventIterator } from '../../src'
import type { ReferenceServerOptions } from '../../src/server'
import {
  type ChatResult,
  createQueryClient,
  observeFor,
  observer,
  providers,
  publishNumbered,
  recordStatus,
  startApp,
} from '../client/harness'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  cleanup()
  onlineManager.setOnline(true)
  for (const close of closers.splice(0)) await close()
})

async function stream(room: string, serverOptions: ReferenceServerOptions = {}) {
  const app = await startApp(serverOptions)
  closers.push(() => app.server.close())
  const seen = observer<ChatResult>()
  const gapsReported: number[] = []
  function Chat() {
    const result = useDurableEventIterator(
      app.orpc.chat.onMessage,
      { room },
      {
        maxEvents: 5000,
        onEvent: (message) => seen.received.push(message),
        onGap: () => gapsReported.push(seen.received.length),
      },
    )
    seen.result = result
    recordStatus(seen, result.status)
    return null
  }
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl, reconnect: { minDelayMs: 50 } })
  render(
    <Providers>
      <Chat />
    </Providers>,
  )
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  return { app, seen, gapsReported }
}

const texts = (seen: ReturnType<typeof observer<ChatResult>>) => seen.received.map((message) => Number(message.text))
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index)

it('a 2 s server outage inside the retention window, 200 events/s throughout: 0 lost, 0 duplicated', async () => {
  const { app, seen } = await stream('outage')
  const outage = app.server.interrupt(2000)
  await publishNumbered(app.server, 'chat:outage', { count: 400, intervalMs: 5 })
  await outage
  await waitFor(() => expect(seen.received).toHaveLength(400), { timeout: 15_000 })
  expect(texts(seen)).toEqual(range(0, 400))
  expect(seen.result?.gaps).toBe(0)
  expect(app.server.stats().resumeGaps).toBe(0)
})

it('an outage longer than the retention window: the hook reports the gap instead of resuming silently', async () => {
  const { app, seen, gapsReported } = await stream('long-outage', { resumeRetentionSeconds: 1 })
  await publishNumbered(app.server, 'chat:long-outage', { count: 5, intervalMs: 5 })
  await waitFor(() => expect(seen.received).toHaveLength(5))

  const outage = app.server.interrupt(2500)
  // Published at the start of the outage, and expired from the 1 s retention by the time it ends.
  await publishNumbered(app.server, 'chat:long-outage', { count: 5, intervalMs: 5, from: 5 })
  await outage
  // The next attempt comes after a backoff that grew during the outage (and later still on a busy machine).
  await waitFor(() => expect(seen.result?.gaps).toBe(1), { timeout: 15_000 })
  expect(gapsReported).toEqual([5])
  await publishNumbered(app.server, 'chat:long-outage', { count: 5, intervalMs: 5, from: 10 })
  await waitFor(() => expect(seen.received).toHaveLength(10), { timeout: 15_000 })
  expect(texts(seen)).toEqual([...range(0, 5), ...range(10, 15)])
  expect(app.server.stats().resumeGaps).toBe(1)
})

it('offline for 30 s: no attempts while offline, then back at once, with what was published meanwhile', {
  timeout: 60_000,
}, async () => {
  const { app, seen } = await stream('offline')
  onlineManager.setOnline(false)
  app.server.hub.dropConnections()
  await waitFor(() => expect(seen.result?.status).toBe('reconnecting'))
  await publishNumbered(app.server, 'chat:offline', { count: 50, intervalMs: 5 })
  await observeFor(30_000)
  expect(app.server.stats()).toMatchObject({ upgradesAccepted: 1, tokensIssued: 1 })

  onlineManager.setOnline(true)
  await waitFor(() => expect(seen.received).toHaveLength(50))
  expect(texts(seen)).toEqual(range(0, 50))
  expect(app.server.stats().upgradesAccepted).toBe(2)
  expect(seen.statuses).toEqual(['connecting', 'open', 'reconnecting', 'open'])
})

it('a socket lost before its first event still receives what was published while it reconnected', async () => {
  const { app, seen } = await stream('early-drop')
  expect(seen.result?.lastEventId).toBeUndefined()
  app.server.hub.dropConnections()
  await publishNumbered(app.server, 'chat:early-drop', { count: 20, intervalMs: 2 })
  await waitFor(() => expect(seen.received).toHaveLength(20))
  expect(texts(seen)).toEqual(range(0, 20))
})
