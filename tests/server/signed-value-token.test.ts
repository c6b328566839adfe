import { sign } from '@orpc/server/helpers'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  Cleanup,
  type HubServer,
  openDurableClient,
  openRawSocket,
  SIGNING_KEY,
  socketUrl,
  startHubServer,
  subscribe,
} from './harness'

/** A token as oRPC's durable iterator issues it: `<JSON claims>.<base64url HMAC-SHA256>`. */
function signedValue(claims: Record<string, unknown>, key = SIGNING_KEY): Promise<string> {
  return sign(JSON.stringify(claims), key)
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

describe('oRPC signed-value tokens', () => {
  let server: HubServer<Record<never, never>>
  const cleanup = new Cleanup()
  beforeAll(async () => {
    server = await startHubServer()
  })
  afterEach(() => cleanup.run())
  afterAll(() => server.close())

  it('accepts a signed value with the same claims as a JWT: subscribe, receive, updateToken', async () => {
    const claims = { chn: 'signed:ok', tags: ['a'], iat: nowSeconds(), exp: nowSeconds() + 60 }
    const connection = openDurableClient(cleanup, server.durableUrl, await signedValue(claims))
    const events = await subscribe(cleanup, connection)
    server.hub.publish('signed:ok', { text: 'hi' }, { tags: ['a'] })
    await events.waitForCount(1)
    expect(events.values).toEqual([{ text: 'hi' }])
    await expect(
      connection.client.updateToken({ token: await signedValue({ ...claims, exp: nowSeconds() + 120 }) }),
    ).resolves.toBeUndefined()
  })

  it('refuses a tampered, expired, foreign-key or claim-less signed value with 4001 naming why', async () => {
    const claims = { chn: 'signed:refused', iat: nowSeconds(), exp: nowSeconds() + 60 }
    const valid = await signedValue(claims)
    const signature = valid.slice(valid.lastIndexOf('.') + 1)
    const cases: [string, string][] = [
      [`${JSON.stringify({ ...claims, chn: 'signed:other' })}.${signature}`, 'bad signature'],
      [await signedValue({ ...claims, iat: nowSeconds() - 120, exp: nowSeconds() - 60 }), 'expired'],
      [await signedValue(claims, 'another-key-0123456789-abcdefghijklmnopqrstuv'), 'bad signature'],
      [await signedValue({ iat: claims.iat, exp: claims.exp }), 'missing claims'],
      [`${JSON.stringify(claims)}.not*base64`, 'malformed'],
    ]
    for (const [token, reason] of cases) {
      const { closed } = openRawSocket(cleanup, socketUrl(server.durableUrl, { id: 'signed', token }))
      expect(await closed).toEqual({ code: 4001, reason: `invalid token: ${reason}` })
    }
  })
})
