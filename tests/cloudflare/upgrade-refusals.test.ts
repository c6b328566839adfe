/** The Durable Object's Worker with `refuseUpgradesWith: 'http-status'` (the default is in protocol.test.ts). */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { signDurableIteratorToken } from '../../src/server'
import { SIGNING_KEY, socketUrl } from '../server/harness'
import { attemptUpgrade } from '../support/attempt-upgrade'
import { type CloudflareHub, startCloudflareHub } from './harness'

let hub: CloudflareHub
beforeAll(async () => {
  hub = await startCloudflareHub({ refuseUpgradesWith: 'http-status' })
})
afterAll(() => hub.close())

it('answers a missing client id with HTTP 400 and a missing, bad or expired token with 401, never upgrading', async () => {
  const sign = (nowMs: number, signingKey = SIGNING_KEY) =>
    signDurableIteratorToken({ chn: 'cf:http-refusal' }, { signingKey, ttlSeconds: 60, nowMs })
  const cases: [{ id?: string; token?: string }, number, string][] = [
    [{ token: await sign(Date.now()) }, 400, 'missing `id` query parameter'],
    [{ id: 'a' }, 401, 'missing `token` query parameter'],
    [
      { id: 'a', token: await sign(Date.now(), 'another-key-0123456789-abcdefghijklmnopqrstuv') },
      401,
      'invalid token: bad signature',
    ],
    [{ id: 'a', token: await sign(Date.now() - 120_000) }, 401, 'invalid token: expired'],
  ]
  for (const [params, status, body] of cases) {
    expect(await attemptUpgrade(socketUrl(hub.durableUrl, params))).toEqual({ status, body })
  }
})
