import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type DurableIteratorGrant,
  type ReferenceServer,
  signDurableIteratorToken,
  startReferenceServer,
} from '../../src/server'
import { Cleanup, openDurableClient, SIGNING_KEY, subscribe, waitFor } from './harness'

describe('call (remote methods)', () => {
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

  async function join(grant: DurableIteratorGrant, clientId?: string) {
    const token = await signDurableIteratorToken(grant, { signingKey: SIGNING_KEY, ttlSeconds: 60 })
    const connection = openDurableClient(cleanup, server.durableUrl, token, clientId)
    const before = server.hub.subscriberCount(grant.chn)
    const events = await subscribe(cleanup, connection)
    await waitFor(() => server.hub.subscriberCount(grant.chn) > before, 'the subscription to reach the hub')
    return { ...connection, events }
  }

  it('runs an allowed method: sendMessage publishes to the caller’s room and returns the message', async () => {
    const sender = await join({ chn: 'chat:call', rpc: ['sendMessage'] }, 'sender')
    const reader = await join({ chn: 'chat:call' }, 'reader')
    const elsewhere = await join({ chn: 'chat:elsewhere' }, 'elsewhere')

    const returned = await sender.client.call({ path: ['sendMessage'], input: { text: 'hello' } })

    expect(returned).toMatchObject({ text: 'hello', from: 'sender' })
    expect(typeof (returned as { sentAtMs: unknown }).sentAtMs).toBe('number')
    await reader.events.waitForCount(1)
    await sender.events.waitForCount(1)
    expect(reader.events.values).toEqual([returned])
    expect(sender.events.values).toEqual([returned])
    expect(reader.events.events[0]?.id).toMatch(/^\d+$/)

    const marker = { text: 'marker', from: 'publisher', sentAtMs: Date.now() }
    server.publish('chat:elsewhere', marker)
    await elsewhere.events.waitForCount(1)
    expect(elsewhere.events.values).toEqual([marker])
  })

  it('refuses a method missing from the token’s rpc claim with FORBIDDEN, and publishes nothing', async () => {
    const noRpc = await join({ chn: 'chat:forbidden' })
    const otherRpc = await join({ chn: 'chat:forbidden', rpc: ['somethingElse'] })
    const publishedBefore = server.stats().eventsPublished

    await expect(noRpc.client.call({ path: ['sendMessage'], input: { text: 'x' } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
    await expect(otherRpc.client.call({ path: ['sendMessage'], input: { text: 'x' } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
    expect(server.stats().eventsPublished).toBe(publishedBefore)
  })

  it('answers NOT_FOUND for an allowed name the hub has no method for', async () => {
    const caller = await join({ chn: 'chat:missing', rpc: ['noSuchMethod', 'sendMessage'] })
    await expect(caller.client.call({ path: ['noSuchMethod'] })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(caller.client.call({ path: ['sendMessage', 'nested'] })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('refuses bad input with BAD_REQUEST, for the method’s input and for the call itself', async () => {
    const caller = await join({ chn: 'chat:bad-input', rpc: ['sendMessage'] })
    const publishedBefore = server.stats().eventsPublished

    await expect(caller.client.call({ path: ['sendMessage'], input: { text: '' } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    })
    await expect(caller.client.call({ path: ['sendMessage'], input: { text: 42 } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    })
    await expect(caller.client.call({ path: ['sendMessage'] })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    await expect(caller.client.call({ path: [] } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    await expect(caller.client.call({ path: 'sendMessage' } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    expect(server.stats().eventsPublished).toBe(publishedBefore)
  })
})
