import { decodeProtectedHeader, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { createDurableIteratorHub, signDurableIteratorToken, verifyDurableIteratorToken } from '../../src/server'
import { SIGNING_KEY } from './harness'

const key = SIGNING_KEY
const secret = new TextEncoder().encode(SIGNING_KEY)

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString())
}

describe('signDurableIteratorToken / verifyDurableIteratorToken', () => {
  it('round-trips every claim, with iat and exp in whole seconds', async () => {
    const nowMs = 1_700_000_000_500
    const token = await signDurableIteratorToken(
      { chn: 'chat:lobby', tags: ['a', 'b'], att: { user: 'u1', roles: ['x'] }, rpc: ['sendMessage'] },
      { signingKey: key, ttlSeconds: 90, nowMs },
    )

    const claims = await verifyDurableIteratorToken(token, { signingKey: key, nowMs: nowMs + 1000 })

    expect(claims).toEqual({
      chn: 'chat:lobby',
      tags: ['a', 'b'],
      att: { user: 'u1', roles: ['x'] },
      rpc: ['sendMessage'],
      iat: 1_700_000_000,
      exp: 1_700_000_090,
    })
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' })
  })

  it('leaves out tags, att and rpc when they are not granted', async () => {
    const token = await signDurableIteratorToken({ chn: 'chat:plain' }, { signingKey: key, ttlSeconds: 60 })
    const payload = payloadOf(token)
    expect(payload).toMatchObject({ chn: 'chat:plain', iat: expect.any(Number), exp: expect.any(Number) })
    for (const absent of ['tags', 'att', 'rpc']) expect(payload).not.toHaveProperty(absent)
    expect(await verifyDurableIteratorToken(token, { signingKey: key })).toEqual({
      chn: 'chat:plain',
      iat: expect.any(Number),
      exp: expect.any(Number),
    })
  })

  it('accepts the key as bytes as well as a string', async () => {
    const token = await signDurableIteratorToken({ chn: 'c' }, { signingKey: secret, ttlSeconds: 60 })
    expect(await verifyDurableIteratorToken(token, { signingKey: key })).toMatchObject({ chn: 'c' })
  })

  it('judges expiry at nowMs: valid until exp, refused from exp on', async () => {
    const nowMs = 1_700_000_000_000
    const token = await signDurableIteratorToken({ chn: 'c' }, { signingKey: key, ttlSeconds: 10, nowMs })
    expect(await verifyDurableIteratorToken(token, { signingKey: key, nowMs: nowMs + 9_000 })).toMatchObject({
      chn: 'c',
    })
    expect(await verifyDurableIteratorToken(token, { signingKey: key, nowMs: nowMs + 10_000 })).toBeUndefined()
  })

  describe('returns undefined for', () => {
    const nowS = () => Math.floor(Date.now() / 1000)
    const hs256 = (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret)

    const cases: [string, () => Promise<string>][] = [
      ['an empty string', async () => ''],
      ['garbage', async () => 'garbage'],
      ['three garbage segments', async () => 'a.b.c'],
      ['an oRPC signed value', async () => `${JSON.stringify({ chn: 'c', iat: nowS(), exp: nowS() + 60 })}.abc`],
      ['alg none', async () => `${b64({ alg: 'none' })}.${b64({ chn: 'c', iat: nowS(), exp: nowS() + 60 })}.`],
      [
        'HS384 with the same key',
        () =>
          new SignJWT({ chn: 'c' })
            .setProtectedHeader({ alg: 'HS384' })
            .setIssuedAt()
            .setExpirationTime('1m')
            .sign(secret),
      ],
      [
        'HS512 with the same key',
        () =>
          new SignJWT({ chn: 'c' })
            .setProtectedHeader({ alg: 'HS512' })
            .setIssuedAt()
            .setExpirationTime('1m')
            .sign(secret),
      ],
      [
        'a tampered signature',
        async () => {
          const token = await signDurableIteratorToken({ chn: 'c' }, { signingKey: key, ttlSeconds: 60 })
          const index = token.lastIndexOf('.') + 10
          return `${token.slice(0, index)}${token[index] === 'A' ? 'B' : 'A'}${token.slice(index + 1)}`
        },
      ],
      [
        'tampered claims',
        async () => {
          const [header, , signature] = (
            await signDurableIteratorToken({ chn: 'c' }, { signingKey: key, ttlSeconds: 60 })
          ).split('.')
          return `${header}.${b64({ chn: 'admin', iat: nowS(), exp: nowS() + 60 })}.${signature}`
        },
      ],
      ['another key', () => signDurableIteratorToken({ chn: 'c' }, { signingKey: 'x'.repeat(32), ttlSeconds: 60 })],
      [
        'an expired token',
        () => signDurableIteratorToken({ chn: 'c' }, { signingKey: key, ttlSeconds: 60, nowMs: Date.now() - 61_000 }),
      ],
      ['a token without chn', () => hs256({ iat: nowS(), exp: nowS() + 60 })],
      ['an empty chn', () => hs256({ chn: '', iat: nowS(), exp: nowS() + 60 })],
      ['a numeric chn', () => hs256({ chn: 7, iat: nowS(), exp: nowS() + 60 })],
      ['a token without exp', () => hs256({ chn: 'c', iat: nowS() })],
      ['a token without iat', () => hs256({ chn: 'c', exp: nowS() + 60 })],
      ['tags that are not strings', () => hs256({ chn: 'c', tags: [1], iat: nowS(), exp: nowS() + 60 })],
      ['rpc that is not an array', () => hs256({ chn: 'c', rpc: 'sendMessage', iat: nowS(), exp: nowS() + 60 })],
    ]

    it.each(cases)('%s', async (_name, makeToken) => {
      expect(await verifyDurableIteratorToken(await makeToken(), { signingKey: key })).toBeUndefined()
    })
  })

  it('refuses a signing key shorter than 32 bytes with a TypeError naming the fix', async () => {
    const short = 'x'.repeat(31)
    const signing = signDurableIteratorToken({ chn: 'c' }, { signingKey: short, ttlSeconds: 60 })
    await expect(signing).rejects.toThrow(TypeError)
    await expect(signing).rejects.toThrow(/at least 32 bytes.*got 31.*openssl rand/s)
    await expect(
      signDurableIteratorToken({ chn: 'c' }, { signingKey: new Uint8Array(16), ttlSeconds: 60 }),
    ).rejects.toThrow(/at least 32 bytes.*got 16/s)
  })

  it('refuses to verify with a signing key shorter than 32 bytes instead of calling every token malformed', async () => {
    const token = await signDurableIteratorToken({ chn: 'c' }, { signingKey: key, ttlSeconds: 60 })
    await expect(verifyDurableIteratorToken(token, { signingKey: 'short' })).rejects.toThrow(TypeError)
    await expect(verifyDurableIteratorToken(token, { signingKey: 'short' })).rejects.toThrow(/openssl rand/)
  })

  it('refuses to create a hub with a signing key shorter than 32 bytes', () => {
    expect(() => createDurableIteratorHub({ signingKey: 'short' })).toThrow(TypeError)
    expect(() => createDurableIteratorHub({ signingKey: 'short' })).toThrow(/at least 32 bytes.*got 5/s)
  })

  it('refuses a token without a channel or with a non-positive lifetime at signing', async () => {
    await expect(signDurableIteratorToken({ chn: '' }, { signingKey: key, ttlSeconds: 60 })).rejects.toThrow(TypeError)
    await expect(signDurableIteratorToken({ chn: 'c' }, { signingKey: key, ttlSeconds: 0 })).rejects.toThrow(
      /ttlSeconds/,
    )
  })
})
