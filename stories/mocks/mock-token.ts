import type { DurableIteratorClaims } from '../../src'

/**
 * A token in oRPC's signed-value format, `<JSON claims>.<signature>`, with whole-second `iat`/`exp`.
 * The mock does not sign: the client never checks signatures, and the mock server trusts its own tokens.
 */
export function issueMockToken(channel: string, ttlSeconds: number, rpc: readonly string[]): string {
  const iat = Math.floor(Date.now() / 1000)
  return `${JSON.stringify({ chn: channel, iat, exp: iat + ttlSeconds, rpc })}.mock`
}

/** Why the mock server refuses a token, or its claims if it accepts it. */
export function readMockToken(token: string | null): DurableIteratorClaims | string {
  if (!token) return 'token is required'
  const lastDot = token.lastIndexOf('.')
  if (lastDot <= 0 || token.slice(lastDot + 1) !== 'mock') return 'invalid token'
  let claims: Partial<DurableIteratorClaims> | null
  try {
    claims = JSON.parse(token.slice(0, lastDot))
  } catch {
    return 'invalid token'
  }
  if (typeof claims?.chn !== 'string' || typeof claims.iat !== 'number' || typeof claims.exp !== 'number') {
    return 'invalid token'
  }
  if (claims.exp * 1000 <= Date.now()) return 'token expired'
  return claims as DurableIteratorClaims
}
