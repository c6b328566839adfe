import { afterEach, describe, expect, it } from 'vitest'
import {
  Cleanup,
  type CloseResult,
  openDurableClient,
  openRawSocket,
  socketUrl,
  startHubServer,
  subscribe,
  waitFor,
} from './harness'

describe('hub.close()', () => {
  const cleanup = new Cleanup()
  afterEach(() => cleanup.run())

  it('closes every open socket with 1001 and stops accepting upgrades', async () => {
    const server = await startHubServer()
    cleanup.add(() => server.close())
    const { hub, durableUrl } = server

    const rawA = openRawSocket(cleanup, socketUrl(durableUrl, { id: 'a', token: await hub.issueToken('room:1') }))
    const rawB = openRawSocket(cleanup, socketUrl(durableUrl, { id: 'b', token: await hub.issueToken('room:2') }))
    await Promise.all([rawA.opened, rawB.opened])
    const subscribed = openDurableClient(cleanup, durableUrl, await hub.issueToken('room:1'), 'c')
    const subscribedClose = new Promise<CloseResult>((resolve) => {
      subscribed.socket.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason }), {
        once: true,
      })
    })
    const events = await subscribe(cleanup, subscribed)
    await waitFor(() => hub.subscriberCount('room:1') === 1, 'the subscription to reach the hub')
    expect(hub.stats().openSockets).toBe(3)

    await hub.close()

    const expected = { code: 1001, reason: 'server shutting down' }
    expect(await rawA.closed).toEqual(expected)
    expect(await rawB.closed).toEqual(expected)
    expect(await subscribedClose).toEqual(expected)
    await waitFor(() => events.done, 'the subscription to end')
    await waitFor(() => hub.stats().openSockets === 0, 'the hub to count its sockets closed')

    const late = openRawSocket(cleanup, socketUrl(durableUrl, { id: 'late', token: await hub.issueToken('room:1') }))
    await expect(late.opened).rejects.toThrow(/before it opened/)
    expect(hub.stats().upgradesAccepted).toBe(3)
  })
})
