import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type ReferenceServer, signDurableIteratorToken, startReferenceServer } from '../../src/server'
import { Cleanup, openDurableClient, SIGNING_KEY, subscribe, waitFor } from './harness'

describe('subscribe', () => {
  let server: ReferenceServer
  const cleanup = new Cleanup()

  beforeAll(async () => {
    server = await startReferenceServer({ signingKey: SIGNING_KEY, tokenTtlSeconds: 60 })
  })
  afterEach(async () => {
    await cleanup.run()
    await waitFor(() => server.stats().openSockets === 0, 'the sockets of the test to close on the server')
  })
  afterAll(() => server.close())

  async function tokenFor(channel: string): Promise<string> {
    return signDurableIteratorToken({ chn: channel }, { signingKey: SIGNING_KEY, ttlSeconds: 60 })
  }

  it('delivers events published after subscribing, in order, each with an id', async () => {
    const connection = openDurableClient(cleanup, server.durableUrl, await tokenFor('feed:one'))
    const events = await subscribe<{ n: number }>(cleanup, connection)
    await waitFor(() => server.hub.subscriberCount('feed:one') === 1, 'the subscription to reach the hub')

    for (let n = 1; n <= 5; n++) server.publish('feed:one', { n })

    const received = await events.waitForCount(5)
    expect(received.map((event) => event.value)).toEqual([1, 2, 3, 4, 5].map((n) => ({ n })))
    for (const event of received) expect(event.id).toMatch(/^\d+$/)
  })

  it('gives events ids that are increasing integers', async () => {
    const connection = openDurableClient(cleanup, server.durableUrl, await tokenFor('feed:ids'))
    const events = await subscribe(cleanup, connection)
    await waitFor(() => server.hub.subscriberCount('feed:ids') === 1, 'the subscription to reach the hub')

    for (let n = 0; n < 20; n++) server.publish('feed:ids', { n })

    const ids = (await events.waitForCount(20)).map((event) => Number(event.id))
    for (const id of ids) expect(Number.isSafeInteger(id)).toBe(true)
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1] as number)
  })

  it('does not deliver events published before subscribing without a last event id', async () => {
    server.publish('feed:late', { n: 'before' })
    const connection = openDurableClient(cleanup, server.durableUrl, await tokenFor('feed:late'))
    const events = await subscribe(cleanup, connection)
    await waitFor(() => server.hub.subscriberCount('feed:late') === 1, 'the subscription to reach the hub')

    server.publish('feed:late', { n: 'after' })

    await events.waitForCount(1)
    // A marker published after the first proves nothing else was queued ahead of it.
    server.publish('feed:late', { n: 'marker' })
    await events.waitForCount(2)
    expect(events.values).toEqual([{ n: 'after' }, { n: 'marker' }])
  })

  it('counts delivered events and open sockets in stats', async () => {
    const before = server.stats()
    const connection = openDurableClient(cleanup, server.durableUrl, await tokenFor('feed:stats'))
    const events = await subscribe(cleanup, connection)
    await waitFor(() => server.hub.subscriberCount('feed:stats') === 1, 'the subscription to reach the hub')
    expect(server.stats().openSockets).toBe(before.openSockets + 1)

    server.publish('feed:stats', { n: 1 })
    server.publish('feed:stats', { n: 2 })
    await events.waitForCount(2)

    const after = server.stats()
    expect(after.eventsPublished - before.eventsPublished).toBe(2)
    expect(after.eventsDelivered - before.eventsDelivered).toBe(2)
    expect(after.upgradesAccepted - before.upgradesAccepted).toBe(1)
  })
})
