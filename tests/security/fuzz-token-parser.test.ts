import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DurableIteratorError, parseDurableIteratorToken } from '../../src'
import { readToken } from '../../src/token/parse-token'

const base64url = (text: string) => Buffer.from(text).toString('base64url')

/** Parsed claims, or our error type: any other outcome (another error, a crash) fails the property. */
function readsOrRefuses(token: unknown): void {
  try {
    const claims = readToken(token, 'fuzz.token', parseDurableIteratorToken)
    expect(typeof claims.chn).toBe('string')
    expect(claims.chn.length).toBeGreaterThan(0)
    expect(Number.isFinite(claims.iat) && Number.isFinite(claims.exp) && claims.exp > claims.iat).toBe(true)
  } catch (error) {
    expect(error).toBeInstanceOf(DurableIteratorError)
    expect((error as DurableIteratorError).code).toBe('INVALID_TOKEN')
    expect((error as DurableIteratorError).message).toContain('"fuzz.token"')
  }
}

describe('the token parser, fuzzed', () => {
  it('any string is parsed or refused with INVALID_TOKEN', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), readsOrRefuses), { numRuns: 2000 })
  })

  it('any JWT-shaped string (three base64url parts around arbitrary JSON) is parsed or refused', () => {
    const jwtShaped = fc
      .tuple(fc.jsonValue(), fc.jsonValue(), fc.string())
      .map(([header, payload, signature]) =>
        [base64url(JSON.stringify(header)), base64url(JSON.stringify(payload) ?? ''), base64url(signature)].join('.'),
      )
    fc.assert(fc.property(jwtShaped, readsOrRefuses), { numRuns: 1000 })
  })

  it('any oRPC signed-value-shaped string (JSON, a dot, anything) is parsed or refused', () => {
    const claimsLike = fc.record(
      {
        chn: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        iat: fc.oneof(fc.integer(), fc.double(), fc.string()),
        exp: fc.oneof(fc.integer(), fc.double(), fc.string()),
        tags: fc.oneof(fc.array(fc.string()), fc.jsonValue()),
        rpc: fc.oneof(fc.array(fc.string()), fc.jsonValue()),
        att: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )
    const signedShaped = fc
      .tuple(fc.oneof(claimsLike, fc.jsonValue()), fc.string())
      .map(([claims, signature]) => `${JSON.stringify(claims)}.${signature}`)
    fc.assert(fc.property(signedShaped, readsOrRefuses), { numRuns: 1000 })
  })

  it('outputs that are not strings are refused with INVALID_TOKEN', () => {
    fc.assert(
      fc.property(
        fc.anything().filter((output) => typeof output !== 'string'),
        (output) => readsOrRefuses(output),
      ),
    )
  })
})
