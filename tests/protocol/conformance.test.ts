/**
 * The durable-iterator protocol, one suite for every host: the Node hub over real sockets, the Durable Object in
 * workerd (miniflare), and the testing mock behind msw. Same clients (oRPC's own websocket client over partysocket,
 * this package's client, plain sockets), same settings and remote methods. Where a host cannot do something, its
 * capabilities say why, and the test is reported as skipped with that reason.
 */
import { sign as signValue } from '@orpc/server/helpers'
import { QueryClient } from '@tanstack/query-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createDurableConnection } from '../../src'
import { type DurableIteratorGrant, signDurableIteratorToken } from '../../src/server'
import {
  Cleanup,
  type CloseResult,
  EventCollector,
  openDurableClient,
  SIGNING_KEY,
  socketUrl,
  subscribe,
  waitFor,
} from '../server/harness'
import { attemptUpgrade } from '../support/attempt-upgrade'
import { type HostCapabilities, type HostKind, hosts, type ProtocolHost } from './hosts'
import { openPlainSocket } from './sockets'

type Numbered = { n: number }

describe.each(hosts.map((kind) => [kind.name, kind] as const))('%s', (_name, kind: HostKind) => {
  let host: ProtocolHost
  const cleanup = new Cleanup()
  beforeAll(async () => {
    host = await kind.start()
  })
  afterEach(() => cleanup.run())
  afterAll(() => host.close())

  /** A test that needs a capability: run where the host has it, reported as skipped with its reason elsewhere. */
  function itWith(capability: keyof HostCapabilities, name: string, test: () => Promise<void>): void {
    const has = kind.capabilities[capability]
    if (has === true) it(name, test)
    else it.skip(`${name} (${capability}: ${has})`, test)
  }

  /** A token from the host's own signer: in workerd for the Durable Object. */
  function sign(grant: DurableIteratorGrant, ttlSeconds = 60, nowMs = Date.now()) {
    return host.signToken(grant, ttlSeconds, nowMs)
  }

  function connect(token: string, clientId?: string) {
    return openDurableClient(cleanup, host.durableUrl, token, clientId, host.WebSocket)
  }

  function plainSocket(params: { id?: string; token?: string }) {
    return openPlainSocket(cleanup, host.WebSocket, socketUrl(host.durableUrl, params))
  }

  async function join<T = unknown>(grant: DurableIteratorGrant, clientId?: string, retry = 0) {
    const connection = connect(await sign(grant), clientId)
    // The subscribe response arrives after the host recorded the subscription: publishes from here reach it.
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
      const { events } = await join<Numbered>({ chn: 'p:subscribe' })
      for (let n = 0; n < 5; n++) await host.publish('p:subscribe', { n })
      await events.waitForCount(5)
      expectEachOnceInOrder(events, 5)
      expect(events.events.every((event) => /^\d+$/.test(event.id ?? ''))).toBe(true)
    })

    it('never delivers another channel’s events to a token', async () => {
      const mine = await join({ chn: 'p:mine' })
      const other = await join({ chn: 'p:other' })
      await host.publish('p:other', { text: 'not yours' })
      await host.publish('p:mine', { text: 'yours' })
      await mine.events.waitForCount(1)
      await other.events.waitForCount(1)
      expect(mine.events.values).toEqual([{ text: 'yours' }])
      expect(other.events.values).toEqual([{ text: 'not yours' }])
    })

    it('delivers tagged events only to tokens carrying one of the tags, and targets/exclude by client id', async () => {
      const member = await join({ chn: 'p:tags', tags: ['member'] }, 'member')
      const admin = await join({ chn: 'p:tags', tags: ['admin'] }, 'admin')
      const plain = await join({ chn: 'p:tags' }, 'plain')
      await host.publish('p:tags', { to: 'admins' }, { tags: ['admin'] })
      await host.publish('p:tags', { to: 'member only' }, { targets: ['member'] })
      await host.publish('p:tags', { to: 'all but plain' }, { exclude: ['plain'] })
      await host.publish('p:tags', { to: 'everyone' })

      await member.events.waitForCount(3)
      await admin.events.waitForCount(3)
      await plain.events.waitForCount(1)
      expect(member.events.values).toEqual([{ to: 'member only' }, { to: 'all but plain' }, { to: 'everyone' }])
      expect(admin.events.values).toEqual([{ to: 'admins' }, { to: 'all but plain' }, { to: 'everyone' }])
      expect(plain.events.values).toEqual([{ to: 'everyone' }])
    })

    it('stops sending to a subscription the client ended, and keeps the socket serving calls', async () => {
      const { socket, opened, frames, nextFrame } = plainSocket({ id: 'ender', token: await sign({ chn: 'p:ended' }) })
      await opened
      socket.send(JSON.stringify({ i: '1', p: { u: '/subscribe', b: {} } }))
      await nextFrame((frame) => frame.i === '1' && frame.t === undefined, 'the subscribe response')
      await host.publish('p:ended', { n: 0 })
      await nextFrame((frame) => frame.t === 3 && frame.p?.e === 'message', 'the first event')

      // The host handles a socket's frames in order: once the ping after the abort is answered, the abort is in.
      socket.send(JSON.stringify({ i: '1', t: 4 }))
      socket.send(JSON.stringify({ i: '2', p: { u: '/ping' } }))
      await nextFrame((frame) => frame.i === '2', 'the answer to the first ping')
      // Published before the next ping is sent: an event for the ended subscription would arrive before its answer.
      await host.publish('p:ended', { n: 1 })
      socket.send(JSON.stringify({ i: '3', p: { u: '/ping' } }))
      await nextFrame((frame) => frame.i === '3', 'the answer to the second ping')
      const events = frames.filter((frame) => frame.t === 3 && frame.p?.e === 'message')
      expect(events.map((frame) => frame.p?.d?.json)).toEqual([{ n: 0 }])
    })

    it('reaches this package’s client too: every event, in order, with its id', async () => {
      const token = await sign({ chn: 'p:package' })
      const connection = createDurableConnection<Numbered>({
        queryClient: new QueryClient(),
        tokenQuery: { queryKey: ['p:package'], queryFn: () => token },
        url: host.durableUrl,
        WebSocket: host.WebSocket as never,
      })
      cleanup.add(() => connection.dispose())
      connection.start()
      await waitFor(() => connection.getSnapshot().status === 'open', 'the package client to open')
      for (let n = 0; n < 5; n++) await host.publish('p:package', { n })
      await waitFor(() => connection.getSnapshot().events.length === 5, 'five events in the package client')
      expect(connection.getSnapshot().events).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })))
      expect(connection.getSnapshot().lastEventId).toMatch(/^\d+$/)
    })

    itWith('richPayloads', 'delivers dates, bigints, maps and sets as they were published', async () => {
      const { events } = await join({ chn: 'p:rich' })
      const payload = {
        at: new Date('2025-01-02T03:04:05.678Z'),
        big: 12345678901234567890n,
        map: new Map([['a', 1]]),
        set: new Set(['x']),
      }
      await host.publish('p:rich', payload)
      await events.waitForCount(1)
      expect(events.values).toEqual([payload])
    })
  })

  describe('resume', () => {
    it('replays only the events after the given last event id, with the same filters', async () => {
      const first = await join<Numbered>({ chn: 'p:from-id', tags: ['a'] })
      for (let n = 0; n < 6; n++) await host.publish('p:from-id', { n })
      await host.publish('p:from-id', { n: -1 }, { tags: ['b'] })
      const seen = await first.events.waitForCount(6)

      const second = connect(await sign({ chn: 'p:from-id', tags: ['a'] }))
      const replay = new EventCollector<Numbered>(
        await second.client.subscribe(undefined, { lastEventId: seen[2]?.id }),
      )
      cleanup.add(() => replay.stop())
      await replay.waitForCount(3, 'replayed events')
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(replay.values).toEqual([{ n: 3 }, { n: 4 }, { n: 5 }])
    })

    it('receives every event exactly once and in order across drops, while publishing continues', async () => {
      const { socket, events } = await join<Numbered>({ chn: 'p:drops' }, undefined, Number.POSITIVE_INFINITY)
      let n = 0
      const publishNext = () => host.publish('p:drops', { n: n++ })
      for (let i = 0; i < 10; i++) await publishNext()
      await events.waitForCount(10)

      for (let drop = 1; drop <= 3; drop++) {
        const reopened = new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }))
        socket.reconnect()
        // Published while the client is away: these must be replayed from the host's retention.
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
      const first = await join<Numbered>({ chn: 'p:gap' })
      await host.publish('p:gap', { n: 0 })
      const [firstEvent] = await first.events.waitForCount(1)
      // The hosts keep 100 events here: 150 more push the first one's successors out.
      for (let n = 1; n <= 150; n++) await host.publish('p:gap', { n })

      const second = connect(await sign({ chn: 'p:gap' }))
      const iterator = await second.client.subscribe({ reportGaps: true }, { lastEventId: firstEvent?.id })
      const replay = new EventCollector<Numbered>(iterator)
      cleanup.add(() => replay.stop())
      await replay.waitForCount(101, 'the gap marker and the retained events')
      expect(replay.values[0]).toEqual({})
      expect(replay.values.slice(1).map((value) => value.n)).toEqual(Array.from({ length: 100 }, (_, i) => i + 51))
    })
  })

  describe('refusals and expiry', () => {
    it('closes a socket without a token with 4001, and without a client id with 4000', async () => {
      const noToken = plainSocket({ id: 'no-token' })
      const noId = plainSocket({ token: await sign({ chn: 'p:refuse' }) })
      expect(await noToken.closed).toEqual({ code: 4001, reason: 'missing `token` query parameter' })
      expect(await noId.closed).toEqual({ code: 4000, reason: 'missing `id` query parameter' })
    })

    it('closes a socket with 4001 naming why for a tampered, expired, foreign-key or ill-formed token', async () => {
      const valid = await sign({ chn: 'p:refuse' })
      const [header, payload, signature] = valid.split('.')
      const forged = Buffer.from(JSON.stringify({ chn: 'p:refuse', iat: 1, exp: 9_999_999_999 })).toString('base64url')
      const nowSeconds = Math.floor(Date.now() / 1000)
      const cases: [string, string][] = [
        [`${header}.${forged}.${signature}`, 'bad signature'],
        [await sign({ chn: 'p:refuse' }, 60, Date.now() - 120_000), 'expired'],
        [
          await signDurableIteratorToken(
            { chn: 'p:refuse' },
            { signingKey: 'another-key-0123456789-abcdefghijklmnopqrstuv', ttlSeconds: 60 },
          ),
          'bad signature',
        ],
        [`${payload}`, 'malformed'],
        // The client's parser refuses these claims too: every reader applies the same rules.
        [
          await signValue(JSON.stringify({ chn: 'p:refuse', iat: nowSeconds + 60, exp: nowSeconds + 60 }), SIGNING_KEY),
          'invalid claims',
        ],
      ]
      for (const [token, reason] of cases) {
        const { closed } = plainSocket({ id: 'bad', token })
        expect(await closed).toEqual({ code: 4001, reason: `invalid token: ${reason}` })
      }
    })

    it('closes a quiet socket with 4001 "token expired" when its token expires without an update', async () => {
      // exp is in whole seconds: a 2 s lifetime leaves at least 1 s to connect.
      const { socket, opened, closed } = plainSocket({ id: 'quiet', token: await sign({ chn: 'p:expiry' }, 2) })
      await opened
      // One ping, then silence. (Seen under miniflare: an object's socket that never sent a frame gets the same
      // 4001, but its close completes about 10 s later.)
      socket.send(JSON.stringify({ i: '1', p: { u: '/ping' } }))
      const openedAtMs = Date.now()
      expect(await closed).toEqual({ code: 4001, reason: 'token expired' })
      expect(Date.now() - openedAtMs).toBeLessThan(2500)
    })

    it('closes a subscribed oRPC client with 4001 and ends its subscription with an error', async () => {
      const { socket, client } = connect(await sign({ chn: 'p:expiry' }, 2))
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

    itWith('maxSockets', 'closes sockets over maxSockets with 1013 and a reason that says to retry', async () => {
      const full = await kind.start({ maxSockets: 2 })
      cleanup.add(() => full.close())
      const token = await sign({ chn: 'p:full' })
      const open = (id: string) => openPlainSocket(cleanup, full.WebSocket, socketUrl(full.durableUrl, { id, token }))
      await Promise.all([open('a').opened, open('b').opened])
      expect(await open('c').closed).toEqual({ code: 1013, reason: 'too many sockets (2): try again later' })
    })

    itWith('httpRefusals', 'answers with HTTP 400/401 before upgrading when set to refuse that way', async () => {
      const refusing = await kind.start({ refuseUpgradesWith: 'http-status' })
      cleanup.add(() => refusing.close())
      const cases: [{ id?: string; token?: string }, number, string][] = [
        [{ token: await sign({ chn: 'p:http' }) }, 400, 'missing `id` query parameter'],
        [{ id: 'a' }, 401, 'missing `token` query parameter'],
        [{ id: 'a', token: await sign({ chn: 'p:http' }, 60, Date.now() - 120_000) }, 401, 'invalid token: expired'],
        [
          {
            id: 'a',
            token: await signDurableIteratorToken(
              { chn: 'p:http' },
              { signingKey: 'another-key-0123456789-abcdefghijklmnopqrstuv', ttlSeconds: 60 },
            ),
          },
          401,
          'invalid token: bad signature',
        ],
      ]
      for (const [params, status, body] of cases) {
        expect(await attemptUpgrade(socketUrl(refusing.durableUrl, params))).toEqual({ status, body })
      }
    })
  })

  describe('oRPC signed-value tokens', () => {
    it('accepts `<JSON claims>.<HMAC>` as oRPC issues it, and refuses a tampered one with 4001', async () => {
      const nowSeconds = Math.floor(Date.now() / 1000)
      const claims = { chn: 'p:signed', iat: nowSeconds, exp: nowSeconds + 60 }
      const token = await signValue(JSON.stringify(claims), SIGNING_KEY)
      const events = await subscribe(cleanup, connect(token))
      await host.publish('p:signed', { text: 'hi' })
      await events.waitForCount(1)
      expect(events.values).toEqual([{ text: 'hi' }])

      const tampered = `${JSON.stringify({ ...claims, chn: 'p:other' })}${token.slice(token.lastIndexOf('.'))}`
      const { closed } = plainSocket({ id: 'signed', token: tampered })
      expect(await closed).toEqual({ code: 4001, reason: 'invalid token: bad signature' })
    })
  })

  describe('updateToken', () => {
    const grant: DurableIteratorGrant = { chn: 'p:update', tags: ['member', 'admin'], rpc: ['sendMessage'] }

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
        [sign({ ...grant, chn: 'p:elsewhere' }), /another channel/],
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
      const sender = await join({ chn: 'p:call', rpc: ['sendMessage', 'whoAmI'], att: { name: 'ada' } }, 'sender')
      const reader = await join({ chn: 'p:call' }, 'reader')
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
      const { client } = await join({ chn: 'p:call-refused', rpc: ['nothingHere'] })
      await expect(client.call({ path: ['sendMessage'], input: { text: 'x' } })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      })
      await expect(client.call({ path: ['nothingHere'] })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })

    it('answers ping', async () => {
      const { client } = await join({ chn: 'p:ping' })
      await expect(client.ping()).resolves.toBeUndefined()
    })
  })

  describe('bad frames', () => {
    it('closes a socket that sends a garbage frame with 1007 and one over maxPayloadBytes with 1009', async () => {
      const token = await sign({ chn: 'p:frames' })
      const garbage = plainSocket({ id: 'garbage', token })
      await garbage.opened
      garbage.socket.send('not an oRPC message')
      expect((await garbage.closed).code).toBe(1007)
      const big = plainSocket({ id: 'big', token })
      await big.opened
      big.socket.send('x'.repeat(70_000))
      expect((await big.closed).code).toBe(1009)
    })
  })

  describe('stats', () => {
    itWith('stats', 'counts accepted and refused upgrades, token updates, publishes and deliveries', async () => {
      const before = await host.stats?.()
      const { client, events } = await join<Numbered>({ chn: 'p:stats' })
      await plainSocket({ id: 'stats' }).closed
      await client.updateToken({ token: await sign({ chn: 'p:stats' }) })
      await host.publish('p:stats', { n: 0 })
      await events.waitForCount(1)
      const after = await host.stats?.()
      expect(after && before).toBeTruthy()
      if (!after || !before) return
      expect(after.upgradesAccepted - before.upgradesAccepted).toBe(1)
      expect((after.upgradesRejected['missing token'] ?? 0) - (before.upgradesRejected['missing token'] ?? 0)).toBe(1)
      expect(after.tokenUpdates - before.tokenUpdates).toBe(1)
      expect(after.eventsPublished - before.eventsPublished).toBe(1)
      expect(after.eventsDelivered - before.eventsDelivered).toBe(1)
    })
  })
})
