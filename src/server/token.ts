import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import type { DurableIteratorClaims } from '../protocol/claims.js'
import { TOKEN_ALGORITHM, type TokenVerification, verifyTokenWithKey } from '../protocol/token-verification.js'
import { type SigningKey, toSecretKey } from './signing-key.js'

/** What a token grants; `iat` and `exp` are added when it is signed. */
export type DurableIteratorGrant = Omit<DurableIteratorClaims, 'iat' | 'exp'>

export interface SignDurableIteratorTokenOptions {
  signingKey: SigningKey
  /** Lifetime of the token. */
  ttlSeconds: number
  /** Issue time, for tests and tools. @default Date.now() */
  nowMs?: number
}

export interface VerifyDurableIteratorTokenOptions {
  signingKey: SigningKey
  /** Judge expiry at this time. @default Date.now() */
  nowMs?: number
}

export type { TokenRefusal, TokenVerification } from '../protocol/token-verification.js'

/** Signs an HS256 JWT with the durable-iterator claims, setting `iat` and `exp`. */
export async function signDurableIteratorToken(
  grant: DurableIteratorGrant,
  { signingKey, ttlSeconds, nowMs = Date.now() }: SignDurableIteratorTokenOptions,
): Promise<string> {
  if (typeof grant.chn !== 'string' || grant.chn.length === 0) {
    throw new TypeError('react-durable-iterator: a token needs a non-empty channel (`chn`).')
  }
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new TypeError(`react-durable-iterator: ttlSeconds must be a positive number of seconds (got ${ttlSeconds}).`)
  }
  const issuedAt = Math.floor(nowMs / 1000)
  const claims: Record<string, unknown> = { chn: grant.chn }
  if (grant.tags !== undefined) claims.tags = [...grant.tags]
  if (grant.att !== undefined) claims.att = grant.att
  if (grant.rpc !== undefined) claims.rpc = [...grant.rpc]
  return (
    new SignJWT(claims)
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT' })
      // A unique id: two tokens issued in the same second are still different tokens.
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + Math.ceil(ttlSeconds))
      .sign(toSecretKey(signingKey))
  )
}

/**
 * Verifies a token and says why it was refused. Only HS256 is accepted: `alg: none` and every other
 * algorithm are refused before any key is used.
 */
export async function inspectDurableIteratorToken(
  token: string,
  { signingKey, nowMs = Date.now() }: VerifyDurableIteratorTokenOptions,
): Promise<TokenVerification> {
  // Outside the verification: a key too short to use is a configuration error to report, not a refused token.
  return verifyTokenWithKey(token, toSecretKey(signingKey), nowMs)
}

/** Verifies a token: its claims, or `undefined` for anything that is not a valid, unexpired HS256 token. */
export async function verifyDurableIteratorToken(
  token: string,
  options: VerifyDurableIteratorTokenOptions,
): Promise<DurableIteratorClaims | undefined> {
  const result = await inspectDurableIteratorToken(token, options)
  return result.ok ? result.claims : undefined
}
