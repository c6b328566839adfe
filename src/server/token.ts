import { randomUUID } from 'node:crypto'
import { errors, jwtVerify, SignJWT } from 'jose'
import type { DurableIteratorClaims } from '../protocol/claims.js'
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

const ALGORITHM = 'HS256'

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
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      // A unique id: two tokens issued in the same second are still different tokens.
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + Math.ceil(ttlSeconds))
      .sign(toSecretKey(signingKey))
  )
}

/** Why a token was refused; never contains the token itself. */
export type TokenRefusal = 'malformed' | 'bad signature' | 'unsupported algorithm' | 'expired' | 'missing claims'

export type TokenVerification = { ok: true; claims: DurableIteratorClaims } | { ok: false; reason: TokenRefusal }

/**
 * Verifies a token and says why it was refused. Only HS256 is accepted: `alg: none` and every other
 * algorithm are refused before any key is used.
 */
export async function inspectDurableIteratorToken(
  token: string,
  { signingKey, nowMs = Date.now() }: VerifyDurableIteratorTokenOptions,
): Promise<TokenVerification> {
  // Outside the try: a key too short to use is a configuration error to report, not a refused token.
  const key = toSecretKey(signingKey)
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      currentDate: new Date(nowMs),
      requiredClaims: ['iat', 'exp'],
    })
    const claims = toClaims(payload)
    return claims ? { ok: true, claims } : { ok: false, reason: 'missing claims' }
  } catch (error) {
    return { ok: false, reason: refusalOf(error) }
  }
}

/** Verifies a token: its claims, or `undefined` for anything that is not a valid, unexpired HS256 token. */
export async function verifyDurableIteratorToken(
  token: string,
  options: VerifyDurableIteratorTokenOptions,
): Promise<DurableIteratorClaims | undefined> {
  const result = await inspectDurableIteratorToken(token, options)
  return result.ok ? result.claims : undefined
}

function refusalOf(error: unknown): TokenRefusal {
  if (error instanceof errors.JWTExpired) return 'expired'
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad signature'
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return 'unsupported algorithm'
  }
  if (error instanceof errors.JWTClaimValidationFailed) return 'missing claims'
  return 'malformed'
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

function toClaims(payload: Record<string, unknown>): DurableIteratorClaims | undefined {
  const { chn, tags, att, rpc, iat, exp } = payload
  if (typeof chn !== 'string' || chn.length === 0) return undefined
  if (typeof iat !== 'number' || typeof exp !== 'number') return undefined
  if (tags !== undefined && !isStringArray(tags)) return undefined
  if (rpc !== undefined && !isStringArray(rpc)) return undefined
  const claims: DurableIteratorClaims = { chn, iat, exp }
  if (tags !== undefined) claims.tags = tags
  if (att !== undefined) claims.att = att
  if (rpc !== undefined) claims.rpc = rpc
  return claims
}
