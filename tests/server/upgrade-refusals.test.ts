import { request as httpRequest } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createDurableIteratorHub, type RefuseUpgradesWith, signDurableIteratorToken } from '../../src/server'
import {
  Cleanup,
  type HubServer,
  openDurableClient,
  SIGNING_KEY,
  socketUrl,
  startHubServer,
  subscribe,
} from './harness'

/** What a refused upgrade looks like to a client that can read it: an HTTP answer, or a close after opening. */
type Refusal = { status: number; body: string } | { code: number; reason: string }

/** Sends an upgrade request and reports the HTTP answer, or, if it upgraded, the close that followed. */
function attemptUpgrade(url: string): Promise<Refusal> {
  return new Promise((resolve, reject) => {
    const target = new URL(url)
    const request = httpRequest({
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
      },
    })
    request.on('response', (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk) => {
        body += chunk
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: body.trim() }))
    })
    request.on('upgrade', (_response, socket, head) => {
      // It upgraded: read the server's close frame (unmasked, short: 0x88, length, code, reason).
      let bytes = head
      const onData = (chunk: Buffer) => {
        bytes = Buffer.concat([bytes, chunk])
        if (bytes.length < 2 || bytes.length < 2 + (bytes[1] as number)) return
        socket.off('data', onData)
        socket.destroy()
        if (bytes[0] !== 0x88) reject(new Error(`expected a close frame, got opcode ${bytes[0]}`))
        else resolve({ code: bytes.readUInt16BE(2), reason: bytes.subarray(4, 2 + (bytes[1] as number)).toString() })
      }
      socket.on('data', onData)
      onData(Buffer.alloc(0))
    })
    request.on('error', reject)
    request.end()
  })
}

const modes: [RefuseUpgradesWith, (status: number, code: number, reason: string) => Refusal][] = [
  ['close-code', (_status, code, reason) => ({ code, reason })],
  ['http-status', (status, _code, reason) => ({ status, body: reason })],
]

describe.each(modes)("refuseUpgradesWith: '%s'", (mode, expected) => {
  let server: HubServer<Record<never, never>>
  const cleanup = new Cleanup()
  beforeAll(async () => {
    server = await startHubServer({ refuseUpgradesWith: mode, maxSockets: 2 })
  })
  afterEach(() => cleanup.run())
  afterAll(() => server.close())

  const sign = (chn: string, nowMs = Date.now()) =>
    signDurableIteratorToken({ chn }, { signingKey: SIGNING_KEY, ttlSeconds: 60, nowMs })

  it('refuses a missing client id (400 / 4000) and a missing token (401 / 4001)', async () => {
    const token = await sign('refusal:missing')
    expect(await attemptUpgrade(socketUrl(server.durableUrl, { token }))).toEqual(
      expected(400, 4000, 'missing `id` query parameter'),
    )
    expect(await attemptUpgrade(socketUrl(server.durableUrl, { id: 'no-token' }))).toEqual(
      expected(401, 4001, 'missing `token` query parameter'),
    )
  })

  it('refuses a bad or expired token (401 / 4001) and says why', async () => {
    const badKey = await signDurableIteratorToken(
      { chn: 'refusal:bad' },
      { signingKey: 'another-key-0123456789-abcdefghijklmnopqrstuv', ttlSeconds: 60 },
    )
    expect(await attemptUpgrade(socketUrl(server.durableUrl, { id: 'a', token: badKey }))).toEqual(
      expected(401, 4001, 'invalid token: bad signature'),
    )
    const expired = await sign('refusal:bad', Date.now() - 120_000)
    expect(await attemptUpgrade(socketUrl(server.durableUrl, { id: 'a', token: expired }))).toEqual(
      expected(401, 4001, 'invalid token: expired'),
    )
    expect(server.hub.stats().upgradesRejected).toMatchObject({ 'bad signature': 1, expired: 1 })
  })

  it('refuses upgrades over maxSockets (503 / 1013), and still serves a valid one', async () => {
    const token = await sign('refusal:full')
    const first = openDurableClient(cleanup, server.durableUrl, token)
    const second = openDurableClient(cleanup, server.durableUrl, token)
    await subscribe(cleanup, first)
    await subscribe(cleanup, second)
    expect(await attemptUpgrade(socketUrl(server.durableUrl, { id: 'third', token }))).toEqual(
      expected(503, 1013, 'too many sockets (2): try again later'),
    )
  })
})

it('refuses an unknown refuseUpgradesWith at startup, naming the two choices', () => {
  expect(() =>
    // @ts-expect-error: not a choice
    createDurableIteratorHub({ signingKey: SIGNING_KEY, refuseUpgradesWith: 'http' }),
  ).toThrow(/refuseUpgradesWith must be 'close-code' or 'http-status' \(got "http"\)/)
})
