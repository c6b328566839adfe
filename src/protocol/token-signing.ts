import { SignJWT } from 'jose'
import type { DurableIteratorClaims } from './claims.js'
import { signValue } from './signed-value.js'
import { type SigningKey, toKeyBytes } from './signing-key.js'
import { TOKEN_ALGORITHM } from './token-verification.js'

/** What a token grants; `iat` and `exp` are added when it is signed. */
export type DurableIteratorGrant = Omit<DurableIteratorClaims, 'iat' | 'exp'>

/**
 * How tokens are written. Every host and this package's client read both.
 * - `'jwt'`: an HS256 JWT, readable by any JWT library.
 * - `'orpc'`: oRPC's signed value, `<JSON claims>.<base64url HMAC-SHA256>`, the only format oRPC's own client
 *   (`DurableIteratorLinkPlugin`) can read.
 */
export type TokenFormat = 'jwt' | 'orpc'

export interface SignDurableIteratorTokenOptions {
  signingKey: SigningKey
  /** Lifetime of the token. */
  ttlSeconds: number
  /** Issue time, for tests and tools. @default Date.now() */
  nowMs?: number
  /** @default 'jwt' */
  tokenFormat?: TokenFormat
}

/** Refuses a token format that does not exist, naming the two that do. */
export function checkTokenFormat(tokenFormat: TokenFormat): void {
  if (tokenFormat !== 'jwt' && tokenFormat !== 'orpc') {
    throw new TypeError(
      `react-durable-iterator: tokenFormat must be 'jwt' or 'orpc' (got ${JSON.stringify(tokenFormat)}).`,
    )
  }
}

/** Signs a token with the durable-iterator claims, setting `iat` and `exp`: an HS256 JWT, or oRPC's signed value. */
export async function signDurableIteratorToken(
  grant: DurableIteratorGrant,
  { signingKey, ttlSeconds, nowMs = Date.now(), tokenFormat = 'jwt' }: SignDurableIteratorTokenOptions,
): Promise<string> {
  if (typeof grant.chn !== 'string' || grant.chn.length === 0) {
    throw new TypeError('react-durable-iterator: a token needs a non-empty channel (`chn`).')
  }
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new TypeError(`react-durable-iterator: ttlSeconds must be a positive number of seconds (got ${ttlSeconds}).`)
  }
  checkTokenFormat(tokenFormat)
  const issuedAt = Math.floor(nowMs / 1000)
  const expiresAt = issuedAt + Math.ceil(ttlSeconds)
  const claims: Record<string, unknown> = { chn: grant.chn }
  if (grant.tags !== undefined) claims.tags = [...grant.tags]
  if (grant.att !== undefined) claims.att = grant.att
  if (grant.rpc !== undefined) claims.rpc = [...grant.rpc]
  // A unique id: two tokens issued in the same second are still different tokens (oRPC's reader ignores it).
  const tokenId = crypto.randomUUID()
  if (tokenFormat === 'orpc') {
    return signValue(JSON.stringify({ ...claims, iat: issuedAt, exp: expiresAt, jti: tokenId }), toKeyBytes(signingKey))
  }
  return new SignJWT(claims)
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT' })
    .setJti(tokenId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(toKeyBytes(signingKey))
}
