import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createDurableIteratorHub, type RefuseUpgradesWith, signDurableIteratorToken } from '../../src/server'
import { attemptUpgrade, type Refusal } from '../support/attempt-upgrade'
import {
  Cleanup,
  type HubServer,
  openDurableClient,
  SIGNING_KEY,
  socketUrl,
  startHubServer,
  subscribe,
} from './harness'

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
