import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type ReferenceServer, startReferenceServer } from '../../src/server'
import { Cleanup, type CloseResult, openDurableClient, openRawSocket, SIGNING_KEY, socketUrl, waitFor } from './harness'

describe('token expiry on an open socket', () => {
  let server: ReferenceServer
  const cleanup = new Cleanup()

  beforeAll(async () => {
    // exp is in whole seconds: a 2 s lifetime leaves at least 1 s to connect before the token expires.
    server = await startReferenceServer({ signingKey: SIGNING_KEY, tokenTtlSeconds: 2 })
  })
  afterEach(async () => {
    await cleanup.run()
    await waitFor(() => server.stats().openSockets === 0, 'the sockets of the test to close on the server')
  })
  afterAll(() => server.close())

  it('closes an idle socket with 4001 "token expired" when its token expires without an update', async () => {
    const token = await server.hub.issueToken('chat:expiry')
    const { opened, closed } = openRawSocket(cleanup, socketUrl(server.durableUrl, { id: 'idle', token }))
    await opened
    const before = server.stats()

    expect(await closed).toEqual({ code: 4001, reason: 'token expired' })
    await waitFor(() => server.stats().openSockets === before.openSockets - 1, 'the server to forget the socket')
    expect(server.stats().expiredCloses - before.expiredCloses).toBe(1)
  })

  it('closes a subscribed oRPC client with 4001 and ends its subscription with an error', async () => {
    const token = await server.hub.issueToken('chat:expiry-subscribed')
    const { socket, client } = openDurableClient(cleanup, server.durableUrl, token)
    const firstClose = new Promise<CloseResult>((resolve) => {
      socket.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason }), { once: true })
    })
    const iterator = await client.subscribe()
    const next = iterator.next()
    next.catch(() => undefined)
    await waitFor(() => server.hub.subscriberCount('chat:expiry-subscribed') === 1, 'the subscription to reach the hub')

    expect(await firstClose).toEqual({ code: 4001, reason: 'token expired' })
    await expect(next).rejects.toThrow()
    // The subscription is gone from the hub with its socket.
    await waitFor(() => server.hub.subscriberCount('chat:expiry-subscribed') === 0, 'the subscription to be released')
  })
})
