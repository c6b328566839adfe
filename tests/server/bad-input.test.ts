import { randomBytes } from 'node:crypto'
import { SignJWT } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { signDurableIteratorToken, type UpgradeRefusal } from '../../src/server'
import {
  Cleanup,
  type HubServer,
  openDurableClient,
  openRawSocket,
  SIGNING_KEY,
  socketUrl,
  startHubServer,
  subscribe,
  waitFor,
} from './harness'

const MAX_PAYLOAD_BYTES = 4096
const CHANNEL = 'chat:bad-input'

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

function validToken(nowMs = Date.now(), ttlSeconds = 60): Promise<string> {
  return signDurableIteratorToken({ chn: CHANNEL }, { signingKey: SIGNING_KEY, ttlSeconds, nowMs })
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

/** Tokens the hub must refuse at upgrade, with the reason it counts and the close reason it sends. */
const badTokens: [name: string, reason: UpgradeRefusal, makeToken: () => Promise<string>][] = [
  ['a garbage token', 'malformed', async () => 'this-is-not-a-jwt'],
  [
    'an `alg: none` token',
    'unsupported algorithm',
    async () =>
      `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ chn: CHANNEL, iat: nowSeconds(), exp: nowSeconds() + 60 })}.`,
  ],
  [
    'an HS384 token signed with the same key',
    'unsupported algorithm',
    () =>
      new SignJWT({ chn: CHANNEL })
        .setProtectedHeader({ alg: 'HS384', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime('60s')
        .sign(new TextEncoder().encode(SIGNING_KEY)),
  ],
  [
    'a token with a tampered signature',
    'bad signature',
    async () => {
      const token = await validToken()
      const signatureStart = token.lastIndexOf('.') + 1
      // A character in the middle of the signature: every one of its bits is signature data.
      const index = signatureStart + 10
      const flipped = token[index] === 'A' ? 'B' : 'A'
      return `${token.slice(0, index)}${flipped}${token.slice(index + 1)}`
    },
  ],
  [
    'a token with tampered claims',
    'bad signature',
    async () => {
      const [, , signature] = (await validToken()).split('.')
      return `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ chn: 'chat:admin', iat: nowSeconds(), exp: nowSeconds() + 60 })}.${signature}`
    },
  ],
  ['an expired token', 'expired', () => validToken(Date.now() - 120_000, 60)],
  [
    'a token signed with another key',
    'bad signature',
    () =>
      signDurableIteratorToken(
        { chn: CHANNEL },
        { signingKey: 'a-different-signing-key-0123456789-abcdefghij', ttlSeconds: 60 },
      ),
  ],
  [
    'a token without a channel',
    'missing claims',
    () =>
      new SignJWT({ tags: ['x'] })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime('60s')
        .sign(new TextEncoder().encode(SIGNING_KEY)),
  ],
  [
    'a token without exp',
    'missing claims',
    () =>
      new SignJWT({ chn: CHANNEL })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt()
        .sign(new TextEncoder().encode(SIGNING_KEY)),
  ],
]

describe('bad input', () => {
  let server: HubServer<Record<never, never>>
  const cleanup = new Cleanup()

  beforeAll(async () => {
    server = await startHubServer({ maxPayloadBytes: MAX_PAYLOAD_BYTES })
  })
  afterEach(async () => {
    await cleanup.run()
    await waitFor(() => server.hub.stats().openSockets === 0, 'the sockets of the test to close on the server')
  })
  afterAll(() => server.close())

  describe('at upgrade', () => {
    it('closes a socket without a token with 4001 and counts "missing token"', async () => {
      const before = server.hub.stats()
      const { closed } = openRawSocket(cleanup, socketUrl(server.durableUrl, { id: 'no-token' }))

      expect(await closed).toEqual({ code: 4001, reason: 'missing `token` query parameter' })
      const after = server.hub.stats()
      expect((after.upgradesRejected['missing token'] ?? 0) - (before.upgradesRejected['missing token'] ?? 0)).toBe(1)
      expect(after.upgradesAccepted).toBe(before.upgradesAccepted)
    })

    it('closes a socket without a client id with 4000 and counts "missing client id"', async () => {
      const before = server.hub.stats()
      const { closed } = openRawSocket(cleanup, socketUrl(server.durableUrl, { token: await validToken() }))

      expect(await closed).toEqual({ code: 4000, reason: 'missing `id` query parameter' })
      const after = server.hub.stats()
      expect(
        (after.upgradesRejected['missing client id'] ?? 0) - (before.upgradesRejected['missing client id'] ?? 0),
      ).toBe(1)
      expect(after.upgradesAccepted).toBe(before.upgradesAccepted)
    })

    it.each(badTokens)(
      'closes a socket with %s with 4001 naming "%s", and counts it',
      async (_name, reason, makeToken) => {
        const before = server.hub.stats()
        const { closed } = openRawSocket(
          cleanup,
          socketUrl(server.durableUrl, { id: 'bad-token', token: await makeToken() }),
        )

        expect(await closed).toEqual({ code: 4001, reason: `invalid token: ${reason}` })
        const after = server.hub.stats()
        expect((after.upgradesRejected[reason] ?? 0) - (before.upgradesRejected[reason] ?? 0)).toBe(1)
        const otherReasons = Object.keys(after.upgradesRejected).filter((key) => key !== reason) as UpgradeRefusal[]
        for (const other of otherReasons) expect(after.upgradesRejected[other]).toBe(before.upgradesRejected[other])
        expect(after.upgradesAccepted).toBe(before.upgradesAccepted)
      },
    )

    it('takes the last value when the token parameter repeats', async () => {
      const url = new URL(socketUrl(server.durableUrl, { id: 'repeated', token: 'garbage' }))
      url.searchParams.append('token', await validToken())
      const { opened } = openRawSocket(cleanup, url.toString())
      await expect(opened).resolves.toBeUndefined()
    })
  })

  describe('on an open socket', () => {
    async function healthyListener() {
      // A client id stands for one client across its reconnects: a new listener gets a new one.
      const connection = openDurableClient(cleanup, server.durableUrl, await validToken())
      const events = await subscribe<{ n: number }>(cleanup, connection)
      await waitFor(() => server.hub.subscriberCount(CHANNEL) === 1, 'the healthy subscription to reach the hub')
      return events
    }

    async function openBadClient(id: string) {
      const raw = openRawSocket(cleanup, socketUrl(server.durableUrl, { id, token: await validToken() }))
      await raw.opened
      return raw
    }

    it('closes a socket that sends a frame larger than maxPayloadBytes with 1009', async () => {
      const { socket, closed } = await openBadClient('oversized')
      socket.send('x'.repeat(MAX_PAYLOAD_BYTES + 1))
      expect((await closed).code).toBe(1009)
    })

    it('keeps a socket that sends a frame just under maxPayloadBytes open', async () => {
      const events = await healthyListener()
      const { socket, closed } = await openBadClient('under-limit')
      let closedEarly = false
      closed.then(() => {
        closedEarly = true
      })
      // A well-formed oRPC request for an unknown procedure, padded close to the limit: the hub answers it.
      const request = JSON.stringify({ i: '1', p: { u: '/nope', b: { json: 'y'.repeat(MAX_PAYLOAD_BYTES - 100) } } })
      expect(Buffer.byteLength(request)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES)
      const answer = new Promise<string>((resolve) => socket.once('message', (data) => resolve(data.toString())))
      socket.send(request)
      expect(JSON.parse(await answer)).toMatchObject({ i: '1', p: { s: 404 } })
      server.hub.publish(CHANNEL, { n: 1 })
      await events.waitForCount(1)
      expect(closedEarly).toBe(false)
    })

    it('closes a socket that sends a garbage text frame with 1007, while a healthy client keeps receiving', async () => {
      const events = await healthyListener()
      const before = server.hub.stats()
      server.hub.publish(CHANNEL, { n: 0 })

      const { socket, closed } = await openBadClient('garbage-text')
      server.hub.publish(CHANNEL, { n: 1 })
      socket.send('this is not an oRPC message')
      server.hub.publish(CHANNEL, { n: 2 })
      expect(await closed).toEqual({ code: 1007, reason: 'invalid frame: expected an oRPC message' })
      server.hub.publish(CHANNEL, { n: 3 })

      await events.waitForCount(4)
      expect(events.values).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }])
      expect(events.error).toBeUndefined()
      expect(server.hub.stats().framesRejected - before.framesRejected).toBe(1)
    })

    it('closes a socket that sends JSON that is not an oRPC request with 1007', async () => {
      const { socket, closed } = await openBadClient('json-not-orpc')
      socket.send(JSON.stringify({ hello: 'world' }))
      expect((await closed).code).toBe(1007)
    })

    it('closes each socket that sends random binary frames with 1007, while a healthy client keeps receiving', async () => {
      const events = await healthyListener()
      const before = server.hub.stats()
      let n = 0
      for (let attempt = 0; attempt < 5; attempt++) {
        const { socket, closed } = await openBadClient(`random-binary-${attempt}`)
        server.hub.publish(CHANNEL, { n: n++ })
        // 0xff first keeps it from being valid JSON in any reading: not UTF-8 and the oRPC binary delimiter.
        socket.send(Buffer.concat([Buffer.from([0xff]), randomBytes(256)]), { binary: true })
        socket.send(randomBytes(512), { binary: true })
        server.hub.publish(CHANNEL, { n: n++ })
        expect((await closed).code).toBe(1007)
      }
      server.hub.publish(CHANNEL, { n: n++ })

      await events.waitForCount(n)
      expect(events.values).toEqual(Array.from({ length: n }, (_, i) => ({ n: i })))
      expect(events.error).toBeUndefined()
      expect(server.hub.stats().framesRejected - before.framesRejected).toBeGreaterThanOrEqual(5)
    })
  })
})
