import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import type { RouterClient } from '@orpc/server'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { type ReferenceServer, startReferenceServer, verifyDurableIteratorToken } from '../../src/server'
import type { ReferenceRouter, Tick } from '../../src/server/reference-app'
import { Cleanup, openDurableClient, SIGNING_KEY, subscribe, waitFor } from './harness'

describe('the reference server', () => {
  let server: ReferenceServer
  let api: RouterClient<ReferenceRouter>
  const cleanup = new Cleanup()

  beforeAll(async () => {
    server = await startReferenceServer({ signingKey: SIGNING_KEY, tokenTtlSeconds: 45, tickIntervalMs: 10 })
    api = createORPCClient<RouterClient<ReferenceRouter>>(new RPCLink({ url: server.rpcUrl }))
  })
  afterEach(async () => {
    await cleanup.run()
    await waitFor(() => server.stats().openSockets === 0, 'the sockets of the test to close on the server')
  })
  afterAll(() => server.close())

  it('listens on 127.0.0.1 with an http /rpc endpoint and a ws /durable endpoint', () => {
    expect(server.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/rpc$/)
    expect(server.durableUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/durable$/)
  })

  it('chat.onMessage returns a token for chat:<room> that may call sendMessage', async () => {
    const token = await api.chat.onMessage({ room: 'lobby' })

    const claims = await verifyDurableIteratorToken(token, { signingKey: SIGNING_KEY })
    expect(claims).toMatchObject({ chn: 'chat:lobby', rpc: ['sendMessage'] })
    expect((claims?.exp ?? 0) - (claims?.iat ?? 0)).toBe(45)
  })

  it('ticker.onTick returns a token for ticker:<symbol> without remote methods', async () => {
    const token = await api.ticker.onTick({ symbol: 'ACME' })
    const claims = await verifyDurableIteratorToken(token, { signingKey: SIGNING_KEY })
    expect(claims?.chn).toBe('ticker:ACME')
    expect(claims?.rpc).toBeUndefined()
  })

  it('streams ticks with consecutive seq to a ticker subscriber', async () => {
    const token = await api.ticker.onTick({ symbol: 'TICK' })
    const connection = openDurableClient(cleanup, server.durableUrl, token)
    const ticks = await subscribe<Tick>(cleanup, connection)

    const received = (await ticks.waitForCount(5, 'ticks')).map((event) => event.value)
    for (const tick of received) {
      expect(tick).toMatchObject({ symbol: 'TICK', price: expect.any(Number), seq: expect.any(Number) })
      expect(tick.price).toBeGreaterThan(0)
    }
    const seqs = received.map((tick) => tick.seq)
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => (seqs[0] as number) + i))
  })

  it('chat: a message sent over one socket reaches another socket in the same room', async () => {
    const sender = openDurableClient(cleanup, server.durableUrl, await api.chat.onMessage({ room: 'pair' }), 'sender')
    const reader = openDurableClient(cleanup, server.durableUrl, await api.chat.onMessage({ room: 'pair' }), 'reader')
    const messages = await subscribe(cleanup, reader)
    await waitFor(() => server.hub.subscriberCount('chat:pair') === 1, 'the reader to subscribe')

    await sender.client.call({ path: ['sendMessage'], input: { text: 'hi' } })

    await messages.waitForCount(1)
    expect(messages.values).toMatchObject([{ text: 'hi', from: 'sender' }])
  })

  it.each([
    ['a name with spaces', { room: 'bad room' }],
    ['a name with a colon', { room: 'a:b' }],
    ['an empty name', { room: '' }],
    ['a name over 64 characters', { room: 'r'.repeat(65) }],
    ['a missing name', {}],
    ['a number', { room: 42 }],
  ])('refuses %s for a room with BAD_REQUEST and issues no token', async (_name, input) => {
    const before = server.stats().tokensIssued
    await expect(api.chat.onMessage(input as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    expect(server.stats().tokensIssued).toBe(before)
  })

  it('refuses a bad ticker symbol with BAD_REQUEST', async () => {
    await expect(api.ticker.onTick({ symbol: '../etc' })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
  })

  it('counts issued tokens in stats().tokensIssued', async () => {
    const before = server.stats().tokensIssued
    await api.chat.onMessage({ room: 'count' })
    await api.chat.onMessage({ room: 'count' })
    await api.ticker.onTick({ symbol: 'COUNT' })
    expect(server.stats().tokensIssued - before).toBe(3)
  })

  it('answers 404 for other HTTP paths and refuses upgrades outside /durable', async () => {
    const origin = new URL(server.rpcUrl).origin
    const response = await fetch(`${origin}/elsewhere`)
    expect(response.status).toBe(404)
    await response.text()

    const socket = new WebSocket(`${origin.replace('http', 'ws')}/elsewhere?id=x&token=y`)
    const status = await new Promise<number>((resolve, reject) => {
      socket.once('unexpected-response', (_request, res) => {
        resolve(res.statusCode ?? 0)
        res.resume()
      })
      socket.once('open', () => reject(new Error('the upgrade outside /durable was accepted')))
      socket.once('error', () => undefined)
    })
    socket.terminate()
    expect(status).toBe(404)
  })
})
