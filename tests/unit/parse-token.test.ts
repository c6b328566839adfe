import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { DurableIteratorError, parseDurableIteratorToken } from '../../src'
import { signDurableIteratorToken } from '../../src/server'
import { readToken } from '../../src/token/parse-token'

const signingKey = 'unit-test-signing-key-that-is-long-enough'

/** oRPC's signed-value format: `<json>.<base64url HMAC-SHA256>`. */
function orpcSignedValue(claims: object): string {
  const value = JSON.stringify(claims)
  return `${value}.${createHmac('sha256', signingKey).update(value).digest('base64url')}`
}

describe('parseDurableIteratorToken', () => {
  it('reads the claims of a JWT made by the hub', async () => {
    const token = await signDurableIteratorToken(
      { chn: 'chat:lobby', tags: ['a'], att: { user: 'ü' }, rpc: ['sendMessage'] },
      { signingKey, ttlSeconds: 60, nowMs: 1_700_000_000_000 },
    )
    expect(parseDurableIteratorToken(token)).toEqual({
      chn: 'chat:lobby',
      tags: ['a'],
      att: { user: 'ü' },
      rpc: ['sendMessage'],
      iat: 1_700_000_000,
      exp: 1_700_000_060,
    })
  })

  it("reads the claims of oRPC's signed value, whose JSON may contain dots", () => {
    const claims = { chn: 'room.with.dots', iat: 10, exp: 20, att: { url: 'https://a.b/c' } }
    expect(parseDurableIteratorToken(orpcSignedValue(claims))).toEqual(claims)
  })

  it.each([
    ['not three parts', 'abc.def'],
    ['payload not base64 JSON', 'a.b.c'],
    ['missing chn', orpcSignedValue({ iat: 1, exp: 2 })],
    ['missing exp', orpcSignedValue({ chn: 'x', iat: 1 })],
    ['exp not after iat', orpcSignedValue({ chn: 'x', iat: 5, exp: 5 })],
    ['rpc not a string array', orpcSignedValue({ chn: 'x', iat: 1, exp: 2, rpc: [1] })],
    ['payload not an object', `${JSON.stringify('x')}.sig`],
    ['a signed value without signature', '{"chn":"x","iat":1,"exp":2}'],
  ])('refuses a token with %s', (_why, token) => {
    expect(() => parseDurableIteratorToken(token)).toThrow()
  })
})

describe('readToken', () => {
  it('turns any unreadable output into INVALID_TOKEN naming the procedure, without echoing the token', () => {
    for (const output of [42, '', undefined, 'eyJhbGciOiJIUzI1NiJ9.bm9wZQ.secret-signature']) {
      let error: unknown
      try {
        readToken(output, 'chat.onMessage', parseDurableIteratorToken)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(DurableIteratorError)
      expect((error as DurableIteratorError).code).toBe('INVALID_TOKEN')
      expect((error as DurableIteratorError).message).toContain('"chat.onMessage"')
      expect((error as DurableIteratorError).message).not.toContain('secret-signature')
    }
  })
})
