/**
 * The durable-iterator protocol, one suite run against both engines: the Node hub and the Durable Object in workerd
 * (miniflare), with the same oRPC client over partysocket + ws and the same hub settings and remote methods. It uses
 * only what both offer: the socket URL and publishing (targets/exclude as client ids).
 */
import { sign as signValue } from '@orpc/server/helpers'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RemotePublishOptions } from '../../src/cloudflare/index.js'
import { type DurableIteratorGrant, signDurableIteratorToken } from '../../src/server'
import {
  Cleanup,
  type CloseResult,
  EventCollector,
  openDurableClient,
  openRawSocket,
  SIGNING_KEY,
  socketUrl,
  startHubServer,
  subscribe,
  waitFor,
} from '../server/harness'
import { startCloudflareHub } from './harness'
import { testHubOptions, testMethods } from './methods'

type Numbered = { n: number }

interface Engine {
  durableUrl: string
  publish(channel: string, payload: object, options?: RemotePublishOptions): Promise<void>
  close(): Promise<void>
}

async function startNodeHub(): Promise<Engine> {
  const server = await startHubServer({ ...testHubOptions, methods: testMethods })
  return {
    durableUrl: server.durableUrl,
    publish: async (channel, payload, options) => server.hub.publish(channel, payload, options),
    close: () => server.close(),
  }
}

const engines: [string, () => Promise<Engine>][] = [
  ['the Node hub', startNodeHub],
  ['the Durable Object hub', () => startCloudflareHub()],
]

describe.each(engines)('%s', (_name, startEngine) => {
  let hub: Engine
  const cleanup = new Cleanup()
  beforeAll(async () => {
    hub = await startEngine()
  })
  afterEach(() => cleanup.run())
  afterAll(() => hub.close())

  function sign(grant: DurableIteratorGrant, ttlSeconds = 60, nowMs = Date.now()) {
    return signDurableIteratorToken(grant, { signingKey: SIGNING_KEY, ttlSeconds, nowMs })
  }

  async function join<T = unknown>(grant: DurableIteratorGrant, clientId?: string, retry = 0) {
    const connection = openDurableClient(cleanup, hub.durableUrl, await sign(grant), clientId)
    // The subscribe response arrives after the object recorded the subscription: publishes from here reach it.
    const events = await subscribe<T>(cleanup, connection, { retry })
    return { ...connection, events }
  }

  function expectEachOnceInOrder(events: EventCollector<Numbered>, count: number): void {
    expect(events.values.map((value) => value.n)).toEqual(Array.from({ length: count }, (_, i) => i))
    const ids = events.events.map((event) => Number(event.id))
    expect(new Set(ids).size).toBe(ids.length)
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1] as number)
  }

  describe('subscribe', () => {
    it('delivers events published after subscribing, in order, each with an increasing integer id', async () => {
      const { events } = await join<Numbered>({ chn: 'cf:subscribe' })
      for (let n = 0; n < 5; n++) await hub.publish('cf:subscribe', { n })
      await events.waitForCount(5)
      expectEachOnceInOrder(events, 5)
      expect(events.events.every((event) => /^\d+$/.test(event.id ?? ''))).toBe(true)
    })

    it('never delivers another channel’s events to a token', async () => {
      const mine = await join({ chn: 'cf:mine' })
      const other = await join({ chn: 'cf:other' })
      await hub.publish('cf:other', { text: 'not yours' })
      await hub.publish('cf:mine', { text: 'yours' })
      await mine.events.waitForCount(1)
      await other.events.waitForCount(1)
      expect(mine.events.values).toEqual([{ text: 'yours' }])
      expect(other.events.values).toEqual([{ text: 'not yours' }])
    })

    it('delivers tagged events only to tokens carrying one of the tags, and targets/exclude by client id', async () => {
      const member = await join({ chn: 'cf:tags', tags: ['member'] }, 'member')
      const admin = await join({ chn: 'cf:tags', tags: ['admin'] }, 'admin')
      const plain = await join({ chn: 'cf:tags' }, 'plain')
      await hub.publish('cf:tags', { to: 'admins' }, { tags: ['admin'] })
      await hub.publish('cf:tags', { to: 'member only' }, { targets: ['member'] })
      await hub.publish('cf:tags', { to: 'all but plain' }, { exclude: ['plain'] })
      await hub.publish('cf:tags', { to: 'everyone' })

      await member.events.waitForCount(3)
      await admin.events.waitForCount(3)
      await plain.events.waitForCount(1)
      expect(member.events.values).toEqual([{ to: 'member only' }, { to: 'all but plain' }, { to: 'everyone' }])
      expect(admin.events.values).toEqual([{ to: 'admins' }, { to: 'all but plain' }, { to: 'everyone' }])
      expect(plain.events.values).toEqual([{ to: 'everyone' }])
    })
  })

  describe('resume', () => {
    it('replays only the events after the given last event id, with the same filters', async () => {
      const first = await join<Numbered>({ chn: 'cf:from-id', tags: ['a'] })
      for (let n = 0; n < 6; n++) await hub.publish('cf:from-id', { n })
      await hub.publish('cf:from-id', { n: -1 }, { tags: ['b'] })
      const seen = await first.events.waitForCount(6)

      const second = openDurableClient(cleanup, hub.durableUrl, await sign({ chn: 'cf:from-id', tags: ['a'] }))
      const replay = new EventCollector<Numbered>(
        await second.client.subscribe(undefined, { lastEventId: seen[2]?.id }),
      )
      cleanup.add(() => replay.stop())
      await replay.waitForCount(3, 'replayed events')
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(replay.values).toEqual([{ n: 3 }, { n: 4 }, { n: 5 }])
    })

    it('receives every event exactly once and in order across drops, while publishing continues', async () => {
      const { socket, events } = await join<Numbered>({ chn: 'cf:drops' }, undefined, Number.POSITIVE_INFINITY)
      let n = 0
      const publishNext = () => hub.publish('cf:drops', { n: n++ })
      for (let i = 0; i < 10; i++) await publishNext()
      await events.waitForCount(10)

      for (let drop = 1; drop <= 3; drop++) {
        const reopened = new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }))
        socket.reconnect()
        // Published while the client is away: these must be replayed from the object's storage.
        for (let i = 0; i < 5; i++) await publishNext()
        await reopened
        const received = events.events.length
        await waitFor(() => events.events.length >= received + 1 || events.events.length === n, 'events to flow')
        await publishNext()
      }
      await events.waitForCount(n)
      await new Promise((resolve) => setTimeout(resolve, 100))
      expectEachOnceInOrder(events, n)
    })

    it('sends a gap marker to a client that asks, when its last event id is older than the retention', async () => {
      const first = await join<Numbered>({ chn: 'cf:gap' })
      await hub.publish('cf:gap', { n: 0 })
      const [firstEvent] = await first.events.waitForCount(1)
      // The test object keeps 100 events: 150 more push the first one's successors out.
      for (let n = 1; n <= 150; n++) await hub.publish('cf:gap', { n })

      const second = openDurableClient(cleanup, hub.durableUrl, await sign({ chn: 'cf:gap' }))
      const iterator = await second.client.subscribe({ reportGaps: true }, { lastEventId: firstEvent?.id })
      const replay = new EventCollector<Numbered>(iterator)
      cleanup.add(() => replay.stop())
      await replay.waitForCount(101, 'the gap marker and the retained events')
      expect(replay.events[0]?.value).toEqual({})
      expect(replay.values.slice(1).map((value) => value.n)).toEqual(Array.from({ length: 100 }, (_, i) => i + 51))
    })
  })

  describe('refusals and expiry', () => {
    it('closes a socket without a token with 4001, and without a client id with 4000', async () => {
      const noToken = openRawSocket(cleanup, socketUrl(hub.durableUrl, { id: 'no-token' }))
      const noId = openRawSocket(cleanup, socketUrl(hub.durableUrl, { token: await sign({ chn: 'cf:refuse' }) }))
      expect(await noToken.closed).toEqual({ code: 4001, reason: 'missing `token` query parameter' })
      expect(await noId.closed).toEqual({ code: 4000, reason: 'missing `id` query parameter' })
    })

    it('closes a socket with 4001 naming why for a tampered, expired or foreign-key token', async () => {
      const valid = await sign({ chn: 'cf:refuse' })
      const [header, payload, signature] = valid.split('.')
      const forged = Buffer.from(JSON.stringify({ chn: 'cf:refuse', iat: 1, exp: 9_999_999_999 })).toString('base64url')
      const cases: [string, string][] = [
        [`${header}.${forged}.${signature}`, 'bad signature'],
        [await sign({ chn: 'cf:refuse' }, 60, Date.now() - 120_000), 'expired'],
        [
          await signDurableIteratorToken(
            { chn: 'cf:refuse' },
            { signingKey: 'another-key-0123456789-abcdefghijklmnopqrstuv', ttlSeconds: 60 },
          ),
          'bad signature',
        ],
        [`${payload}`, 'malformed'],
      ]
      for (const [token, reason] of cases) {
        const { closed } = openRawSocket(cleanup, socketUrl(hub.durableUrl, { id: 'bad', token }))
        expect(await closed).toEqual({ code: 4001, reason: `invalid token: ${reason}` })
      }
    })

    it('closes a quiet socket with 4001 "token expired" when its token expires without an update', async () => {
      // exp is in whole seconds: a 2 s lifetime leaves at least 1 s to connect.
      const token = await sign({ chn: 'cf:expiry' }, 2)
      const { socket, opened, closed } = openRawSocket(cleanup, socketUrl(hub.durableUrl, { id: 'quiet', token }))
      await opened
      // One ping, then silence: the object's alarm closes it. (Seen under miniflare: a socket that never sent a
      // frame gets the same 4001, but its close completes about 10 s later.)
      socket.send(JSON.stringify({ i: '1', p: { u: '/ping' } }))
      const openedAtMs = Date.now()
      expect(await closed).toEqual({ code: 4001, reason: 'token expired' })
      expect(Date.now() - openedAtMs).toBeLessThan(2500)
    })

    it('closes a subscribed oRPC client with 4001 and ends its subscription with an error', async () => {
      const { socket, client } = openDurableClient(cleanup, hub.durableUrl, await sign({ chn: 'cf:expiry' }, 2))
      const firstClose = new Promise<CloseResult>((resolve) => {
        socket.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason }), {
          once: true,
        })
      })
      const iterator = await client.subscribe()
      const next = iterator.next()
      next.catch(() => undefined)
      expect(await firstClose).toEqual({ code: 4001, reason: 'token expired' })
      await expect(next).rejects.toThrow()
    })
  })

  describe('oRPC signed-value tokens', () => {
    it('accepts `<JSON claims>.<HMAC>` as oRPC issues it, and refuses a tampered one with 4001', async () => {
      const nowSeconds = Math.floor(Date.now() / 1000)
      const claims = { chn: 'cf:signed', iat: nowSeconds, exp: nowSeconds + 60 }
      const token = await signValue(JSON.stringify(claims), SIGNING_KEY)
      const connection = openDurableClient(cleanup, hub.durableUrl, token)
      const events = await subscribe(cleanup, connection)
      await hub.publish('cf:signed', { text: 'hi' })
      await events.waitForCount(1)
      expect(events.values).toEqual([{ text: 'hi' }])

      const tampered = `${JSON.stringify({ ...claims, chn: 'cf:other' })}${token.slice(token.lastIndexOf('.'))}`
      const { closed } = openRawSocket(cleanup, socketUrl(hub.durableUrl, { id: 'signed', token: tampered }))
      expect(await closed).toEqual({ code: 4001, reason: 'invalid token: bad signature' })
    })
  })

  describe('updateToken', () => {
    const grant: DurableIteratorGrant = { chn: 'cf:update', tags: ['member', 'admin'], rpc: ['sendMessage'] }

    it('accepts a fresh token for the same channel and tags, and moves the expiry past the first token’s', async () => {
      const { client, socket } = await join({ ...grant, tags: ['admin', 'member'] })
      let closedWith: number | undefined
      socket.addEventListener('close', (event) => {
        closedWith = event.code
      })
      const short = await sign(grant, 2)
      await expect(client.updateToken({ token: short })).resolves.toBeUndefined()
      await expect(client.updateToken({ token: await sign(grant, 60) })).resolves.toBeUndefined()
      await new Promise((resolve) => setTimeout(resolve, 2500))
      expect(closedWith).toBeUndefined()
      await expect(client.call({ path: ['sendMessage'], input: { text: 'still here' } })).resolves.toMatchObject({
        text: 'still here',
      })
    })

    it('refuses another channel, other tags, wider rpc or an expired token with UNAUTHORIZED', async () => {
      const { client } = await join(grant)
      const refusals: [Promise<string>, RegExp][] = [
        [sign({ ...grant, chn: 'cf:elsewhere' }), /another channel/],
        [sign({ ...grant, tags: ['member'] }), /other tags/],
        [sign({ ...grant, rpc: ['sendMessage', 'whoAmI'] }), /more remote methods/],
        [sign(grant, 60, Date.now() - 120_000), /expired/],
      ]
      for (const [token, message] of refusals) {
        await expect(client.updateToken({ token: await token })).rejects.toMatchObject({
          code: 'UNAUTHORIZED',
          message: expect.stringMatching(message),
        })
      }
    })

    it('applies the new token’s claims: a narrower rpc forbids the dropped method', async () => {
      const { client } = await join(grant)
      await client.updateToken({ token: await sign({ ...grant, rpc: [] }) })
      await expect(client.call({ path: ['sendMessage'], input: { text: 'after' } })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      })
    })
  })

  describe('call', () => {
    it('runs an allowed method that publishes to the caller’s channel, with the caller’s context', async () => {
      const sender = await join({ chn: 'cf:call', rpc: ['sendMessage', 'whoAmI'], att: { name: 'ada' } }, 'sender')
      const reader = await join({ chn: 'cf:call' }, 'reader')
      const returned = await sender.client.call({ path: ['sendMessage'], input: { text: 'hello' } })
      expect(returned).toEqual({ text: 'hello', from: 'sender' })
      await reader.events.waitForCount(1)
      expect(reader.events.values).toEqual([returned])
      await expect(sender.client.call({ path: ['whoAmI'] })).resolves.toEqual({
        clientId: 'sender',
        att: { name: 'ada' },
      })
    })

    it('refuses a method missing from the rpc claim with FORBIDDEN and an unknown one with NOT_FOUND', async () => {
      const { client } = await join({ chn: 'cf:call-refused', rpc: ['nothingHere'] })
      await expect(client.call({ path: ['sendMessage'], input: { text: 'x' } })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      })
      await expect(client.call({ path: ['nothingHere'] })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })

    it('answers ping', async () => {
      const { client } = await join({ chn: 'cf:ping' })
      await expect(client.ping()).resolves.toBeUndefined()
    })
  })

  describe('bad frames', () => {
    it('closes a socket that sends a garbage frame with 1007 and one over maxPayloadBytes with 1009', async () => {
      const token = await sign({ chn: 'cf:frames' })
      const garbage = openRawSocket(cleanup, socketUrl(hub.durableUrl, { id: 'garbage', token }))
      await garbage.opened
      garbage.socket.send('not an oRPC message')
      expect((await garbage.closed).code).toBe(1007)
      const big = openRawSocket(cleanup, socketUrl(hub.durableUrl, { id: 'big', token }))
      await big.opened
      big.socket.send('x'.repeat(70_000))
      expect((await big.closed).code).toBe(1009)
    })
  })
})
