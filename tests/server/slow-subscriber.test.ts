import { afterEach, expect, it } from 'vitest'
import { Cleanup, openDurableClient, openRawSocket, socketUrl, startHubServer, subscribe, waitFor } from './harness'

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

it('closes a subscriber that stops reading (1013, resume from its last id), while others keep receiving', async () => {
  const server = await startHubServer({ maxQueuedEventsPerSubscriber: 20, maxPayloadBytes: 1_000_000 })
  cleanup.add(() => server.close())
  const token = await server.hub.issueToken('feed:slow')
  const readerConnection = openDurableClient(cleanup, server.durableUrl, token, 'reader')
  // A reader that is cut too (the test's own process is busy publishing) resumes: it must still get every event.
  const reader = await subscribe<{ n: number }>(cleanup, readerConnection, { retry: Number.POSITIVE_INFINITY })

  const stalled = openRawSocket(cleanup, socketUrl(server.durableUrl, { id: 'stalled', token }))
  await stalled.opened
  const subscribed = new Promise((resolve) => stalled.socket.once('message', resolve))
  stalled.socket.send(JSON.stringify({ i: '1', p: { u: '/subscribe', b: {} } }))
  await subscribed
  await waitFor(() => server.hub.subscriberCount('feed:slow') === 2, 'both subscriptions to reach the hub')
  // The client stops reading: the kernel's buffers fill, then the hub's.
  stalled.socket.pause()

  let closed: { code: number; reason: string } | undefined
  stalled.closed.then((result) => {
    closed = result
  })
  const filler = 'x'.repeat(16_000)
  let published = 0
  while (server.hub.stats().openSockets === 2 && published < 5_000) {
    server.hub.publish('feed:slow', { n: published++, filler })
    // Let ws hand what it can to the kernel, and the reader read, between publishes.
    await new Promise((resolve) => setImmediate(resolve))
  }
  stalled.socket.resume()
  await waitFor(() => closed, 'the stalled socket to be closed')
  expect(closed).toEqual({ code: 1013, reason: 'subscriber too slow: resume from the last event id' })
  await reader.waitForCount(published)
  expect(reader.values.map((value) => value.n)).toEqual(Array.from({ length: published }, (_, n) => n))
})
