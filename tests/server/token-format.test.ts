import { getSignedValue, unsign } from '@orpc/server/helpers'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  createDurableIteratorHub,
  type DurableIteratorHub,
  signDurableIteratorToken,
  verifyDurableIteratorToken,
} from '../../src/server'
import { Cleanup, type HubServer, openDurableClient, SIGNING_KEY, startHubServer, subscribe } from './harness'

const grant = { chn: 'format:room', tags: ['member'], att: { name: 'ada' }, rpc: ['sendMessage'] }

describe("tokenFormat: 'orpc'", () => {
  it("signs oRPC's signed value: oRPC's unsign accepts it and its value is the JSON claims", async () => {
    const nowMs = Date.UTC(2026, 0, 1)
    const token = await signDurableIteratorToken(grant, {
      signingKey: SIGNING_KEY,
      ttlSeconds: 60,
      nowMs,
      tokenFormat: 'orpc',
    })
    const value = await unsign(token, SIGNING_KEY)
    expect(value).toBe(getSignedValue(token))
    expect(JSON.parse(value as string)).toEqual({
      ...grant,
      iat: nowMs / 1000,
      exp: nowMs / 1000 + 60,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    })
    expect(await unsign(token, 'another-key-0123456789-abcdefghijklmnopqrstuv')).toBeUndefined()
  })

  it('leaves out the optional claims that are not granted, as oRPC does', async () => {
    const token = await signDurableIteratorToken(
      { chn: 'format:bare' },
      { signingKey: SIGNING_KEY, ttlSeconds: 60, tokenFormat: 'orpc' },
    )
    expect(Object.keys(JSON.parse(getSignedValue(token) as string))).toEqual(['chn', 'iat', 'exp', 'jti'])
  })

  it('signDurableIteratorToken issues either format, and the hub verifies both to the same claims', async () => {
    const claims = { chn: 'format:room', rpc: ['sendMessage'] }
    const nowMs = Date.now()
    const asJwt = await signDurableIteratorToken(claims, { signingKey: SIGNING_KEY, ttlSeconds: 60, nowMs })
    const asORPC = await signDurableIteratorToken(claims, {
      signingKey: SIGNING_KEY,
      ttlSeconds: 60,
      nowMs,
      tokenFormat: 'orpc',
    })
    expect(asJwt).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(asORPC.startsWith('{"chn":"format:room"')).toBe(true)
    const fromJwt = await verifyDurableIteratorToken(asJwt, { signingKey: SIGNING_KEY })
    const fromORPC = await verifyDurableIteratorToken(asORPC, { signingKey: SIGNING_KEY })
    expect(fromORPC).toEqual(fromJwt)
    expect(fromORPC).toMatchObject({ chn: 'format:room', rpc: ['sendMessage'] })
  })

  it('refuses an unknown format with a message that names the two', async () => {
    await expect(
      // @ts-expect-error: a format that does not exist
      signDurableIteratorToken(grant, { signingKey: SIGNING_KEY, ttlSeconds: 60, tokenFormat: 'paseto' }),
    ).rejects.toThrow(/tokenFormat must be 'jwt' or 'orpc' \(got "paseto"\)/)
  })

  it('a hub refuses an unknown format at startup', () => {
    // @ts-expect-error: a format that does not exist
    expect(() => createDurableIteratorHub({ signingKey: SIGNING_KEY, tokenFormat: 'JWT' })).toThrow(
      /tokenFormat must be 'jwt' or 'orpc' \(got "JWT"\)/,
    )
  })

  describe('on a hub', () => {
    let server: HubServer<Record<never, never>>
    let hub: DurableIteratorHub
    const cleanup = new Cleanup()
    beforeAll(async () => {
      server = await startHubServer({ tokenFormat: 'orpc' })
      hub = server.hub
    })
    afterEach(() => cleanup.run())
    afterAll(() => server.close())

    it('issueToken issues signed values that its sockets accept', async () => {
      const token = await hub.issueToken('format:hub', { tags: ['a'] })
      expect(getSignedValue(token)).toMatch(/^\{"chn":"format:hub","tags":\["a"\],"iat":\d+,"exp":\d+,"jti":/)
      const events = await subscribe(cleanup, openDurableClient(cleanup, server.durableUrl, token))
      hub.publish('format:hub', { n: 1 }, { tags: ['a'] })
      await events.waitForCount(1)
      expect(events.values).toEqual([{ n: 1 }])
    })
  })
})
