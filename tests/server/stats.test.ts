import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  Cleanup,
  type HubServer,
  openDurableClient,
  openRawSocket,
  socketUrl,
  startHubServer,
  subscribe,
  waitFor,
} from './harness'

describe('hub stats', () => {
  let server: HubServer<Record<never, never>>
  const cleanup = new Cleanup()

  beforeAll(async () => {
    server = await startHubServer()
  })
  afterEach(async () => {
    await cleanup.run()
    await waitFor(() => server.hub.stats().openSockets === 0, 'the sockets of the test to close on the server')
  })
  afterAll(() => server.close())

  it('returns a copy that later changes and callers’ edits do not reach', async () => {
    const snapshot = server.hub.stats()
    snapshot.eventsPublished = 999
    snapshot.upgradesRejected.expired = 999
    server.hub.publish('stats:copy', { n: 1 })

    const fresh = server.hub.stats()
    expect(fresh.eventsPublished).not.toBe(999)
    expect(fresh.upgradesRejected.expired).toBeUndefined()
    expect(snapshot.eventsPublished).toBe(999)
  })

  it('counts tokens issued by issueToken', async () => {
    const before = server.hub.stats().tokensIssued
    await server.hub.issueToken('stats:tokens')
    await server.hub.issueToken('stats:tokens', { ttlSeconds: 5, tags: ['x'] })
    expect(server.hub.stats().tokensIssued - before).toBe(2)
  })

  it('counts open sockets up on accept and down on close and on drop', async () => {
    const token = await server.hub.issueToken('stats:sockets')
    const first = openRawSocket(cleanup, socketUrl(server.durableUrl, { id: 'one', token }))
    const second = openRawSocket(cleanup, socketUrl(server.durableUrl, { id: 'two', token }))
    await Promise.all([first.opened, second.opened])
    await waitFor(() => server.hub.stats().openSockets === 2, 'two open sockets')

    first.socket.close()
    await first.closed
    await waitFor(() => server.hub.stats().openSockets === 1, 'one open socket after a close')

    expect(server.hub.dropConnections('stats:other-channel')).toBe(0)
    expect(server.hub.dropConnections('stats:sockets')).toBe(1)
    expect((await second.closed).code).toBe(1006)
    await waitFor(() => server.hub.stats().openSockets === 0, 'no open socket after a drop')
  })

  it('counts each published event once, and each delivery per subscriber', async () => {
    const token = await server.hub.issueToken('stats:delivery')
    const collectors = []
    for (const id of ['a', 'b', 'c']) {
      collectors.push(await subscribe(cleanup, openDurableClient(cleanup, server.durableUrl, token, id)))
    }
    await waitFor(() => server.hub.subscriberCount('stats:delivery') === 3, 'three subscribers')
    const before = server.hub.stats()

    server.hub.publish('stats:delivery', { n: 1 })
    server.hub.publish('stats:delivery', { n: 2 }, { exclude: ['c'] })
    for (const [index, collector] of collectors.entries()) await collector.waitForCount(index === 2 ? 1 : 2)

    const after = server.hub.stats()
    expect(after.eventsPublished - before.eventsPublished).toBe(2)
    expect(after.eventsDelivered - before.eventsDelivered).toBe(5)
    expect(after.eventsReplayed - before.eventsReplayed).toBe(0)
  })

  it('releases a subscriber when its subscription is returned, and keeps the socket open', async () => {
    const token = await server.hub.issueToken('stats:release')
    const connection = openDurableClient(cleanup, server.durableUrl, token)
    const events = await subscribe(cleanup, connection)
    await waitFor(() => server.hub.subscriberCount('stats:release') === 1, 'the subscription to reach the hub')

    await events.stop()

    await waitFor(() => server.hub.subscriberCount('stats:release') === 0, 'the subscription to be released')
    expect(server.hub.stats().openSockets).toBe(1)
  })

  it('refuses a payload that is not an object', () => {
    expect(() => server.hub.publish('stats:bad', 'text' as never)).toThrow(/needs an object or array payload/)
    expect(() => server.hub.publish('stats:bad', null as never)).toThrow(TypeError)
  })
})
