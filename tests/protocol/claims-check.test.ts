/** One claims rule for every reader: the client's token parser and the hubs' verification agree on every token. */
import { sign as signValue } from '@orpc/server/helpers'
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { parseDurableIteratorToken } from '../../src'
import { inspectDurableIteratorToken } from '../../src/protocol/token-verification'

const signingKey = 'claims-check-signing-key-0123456789-abcdefghij'
const nowSeconds = Math.floor(Date.now() / 1000)

function jwt(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(signingKey))
}

function orpcValue(claims: Record<string, unknown>): Promise<string> {
  return signValue(JSON.stringify(claims), signingKey)
}

const valid = { chn: 'chat:x', iat: nowSeconds, exp: nowSeconds + 60 }
const cases: [name: string, claims: Record<string, unknown>, refusal: 'missing claims' | 'invalid claims'][] = [
  ['exp equal to iat', { ...valid, iat: nowSeconds + 60 }, 'invalid claims'],
  ['exp before iat', { ...valid, iat: nowSeconds + 120 }, 'invalid claims'],
  ['tags that are not strings', { ...valid, tags: [1] }, 'invalid claims'],
  ['rpc that is not a string array', { ...valid, rpc: 'sendMessage' }, 'invalid claims'],
  ['no channel', { iat: valid.iat, exp: valid.exp }, 'missing claims'],
  ['an empty channel', { ...valid, chn: '' }, 'missing claims'],
]

describe.each([
  ['a JWT', jwt],
  ['an oRPC signed value', orpcValue],
])('%s', (_format, sign) => {
  it.each(cases)(
    'with %s: the client refuses it and so does every hub, counted as %s',
    async (_name, claims, refusal) => {
      const token = await sign(claims)
      expect(() => parseDurableIteratorToken(token)).toThrow()
      expect(await inspectDurableIteratorToken(token, { signingKey })).toEqual({ ok: false, reason: refusal })
    },
  )

  it('with valid claims: both read the same claims', async () => {
    const token = await sign({ ...valid, tags: ['a'], rpc: ['m'], att: { n: 1 } })
    const parsed = parseDurableIteratorToken(token)
    expect(await inspectDurableIteratorToken(token, { signingKey })).toEqual({ ok: true, claims: parsed })
  })
})
