import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type DurableIteratorGrant,
  type ReferenceServer,
  signDurableIteratorToken,
  startReferenceServer,
} from '../../src/server'
import { Cleanup, openDurableClient, openRawSocket, SIGNING_KEY, socketUrl, subscribe, waitFor } from './harness'

describe('updateToken', () => {
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

  const grant: DurableIteratorGrant = { chn: 'chat:update', tags: ['member', 'admin'], rpc: ['sendMessage'] }

  function sign(overrides: Partial<DurableIteratorGrant> = {}, ttlSeconds = 60, nowMs = Date.now()) {
    return signDurableIteratorToken({ ...grant, ...overrides }, { signingKey: SIGNING_KEY, ttlSeconds, nowMs })
  }

  async function connected(token?: string) {
    const connection = openDurableClient(cleanup, server.durableUrl, token ?? (await sign()))
    const events = await subscribe(cleanup, connection)
    await waitFor(() => server.hub.subscriberCount(grant.chn) > 0, 'the subscription to reach the hub')
    return { ...connection, events }
  }

  it('accepts a fresh token for the same channel and tags, and counts it', async () => {
    const { client } = await connected()
    const before = server.stats()

    // Same tags in another order, and fewer remote methods: still the same grant or narrower.
    await expect(client.updateToken({ token: await sign({ tags: ['admin', 'member'] }) })).resolves.toBeUndefined()
    await expect(client.updateToken({ token: await sign({ rpc: [] }) })).resolves.toBeUndefined()

    const after = server.stats()
    expect(after.tokenUpdates - before.tokenUpdates).toBe(2)
    expect(after.tokenUpdatesRefused - before.tokenUpdatesRefused).toBe(0)
  })

  it('applies the new token’s claims: a narrower rpc forbids the dropped method', async () => {
    const { client } = await connected()
    await expect(client.call({ path: ['sendMessage'], input: { text: 'before' } })).resolves.toMatchObject({
      text: 'before',
    })

    await client.updateToken({ token: await sign({ rpc: [] }) })

    await expect(client.call({ path: ['sendMessage'], input: { text: 'after' } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
  })

  it('moves the expiry: the socket stays open past the first token’s exp', async () => {
    const shortToken = await sign({}, 2)
    const { exp: firstExp } = JSON.parse(Buffer.from(shortToken.split('.')[1] as string, 'base64url').toString())
    const { client, socket, events } = await connected(shortToken)

    await client.updateToken({ token: await sign({}, 60) })

    // A control socket whose token expires one second after the first token: once it is closed for
    // expiry, the first token's expiry has long passed.
    const nowMs = Date.now()
    const controlTtl = firstExp + 1 - Math.floor(nowMs / 1000)
    const control = openRawSocket(
      cleanup,
      socketUrl(server.durableUrl, { id: 'control', token: await sign({}, controlTtl, nowMs) }),
    )
    expect(await control.closed).toEqual({ code: 4001, reason: 'token expired' })

    expect(socket.readyState).toBe(socket.OPEN)
    server.publish(grant.chn, { text: 'still here' })
    await events.waitForCount(1)
    expect(events.values).toEqual([{ text: 'still here' }])
    expect(server.stats().expiredCloses).toBe(1)
  })

  describe('refuses with UNAUTHORIZED, and keeps the socket and its token', () => {
    const refusals: [string, () => Promise<string>][] = [
      ['a garbage token', async () => 'not-a-token'],
      ['an expired token', () => sign({}, 60, Date.now() - 120_000)],
      [
        'a token signed with another key',
        () =>
          signDurableIteratorToken(grant, { signingKey: 'another-signing-key-0123456789-abcdefghij', ttlSeconds: 60 }),
      ],
      ['a token for another channel', () => sign({ chn: 'chat:other' })],
      ['a token with fewer tags', () => sign({ tags: ['member'] })],
      ['a token with more tags', () => sign({ tags: ['member', 'admin', 'owner'] })],
      ['a token without tags', () => sign({ tags: undefined })],
      ['a token widening rpc', () => sign({ rpc: ['sendMessage', 'deleteMessage'] })],
    ]

    it.each(refusals)('%s', async (_name, makeToken) => {
      const { client, socket, events } = await connected()
      const before = server.stats()

      await expect(client.updateToken({ token: await makeToken() })).rejects.toMatchObject({ code: 'UNAUTHORIZED' })

      const after = server.stats()
      expect(after.tokenUpdatesRefused - before.tokenUpdatesRefused).toBe(1)
      expect(after.tokenUpdates - before.tokenUpdates).toBe(0)
      // The socket is still open and its subscription and rpc grant work.
      expect(socket.readyState).toBe(socket.OPEN)
      await expect(client.call({ path: ['sendMessage'], input: { text: 'after refusal' } })).resolves.toMatchObject({
        text: 'after refusal',
      })
      await events.waitForCount(1)
      expect(events.values).toMatchObject([{ text: 'after refusal' }])
    })
  })

  it('rejects input that is not { token: string } with BAD_REQUEST', async () => {
    const { client } = await connected()
    await expect(client.updateToken({ token: 42 } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' })
  })
})
