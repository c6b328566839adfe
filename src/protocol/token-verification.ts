import { errors, jwtVerify } from 'jose'
import type { DurableIteratorClaims } from './claims.js'
import { checkClaims, isMissingClaim } from './claims-check.js'
import { unsignValue } from './signed-value.js'
import { type SigningKey, toKeyBytes } from './signing-key.js'

/** The only algorithm tokens may be signed with; `alg: none` and every other one are refused before any key is used. */
export const TOKEN_ALGORITHM = 'HS256'

/** Why a token was refused; never contains the token itself. */
export type TokenRefusal =
  | 'malformed'
  | 'bad signature'
  | 'unsupported algorithm'
  | 'expired'
  | 'missing claims'
  | 'invalid claims'

export type TokenVerification = { ok: true; claims: DurableIteratorClaims } | { ok: false; reason: TokenRefusal }

export interface VerifyDurableIteratorTokenOptions {
  signingKey: SigningKey
  /** Judge expiry at this time. @default Date.now() */
  nowMs?: number
}

/**
 * Verifies a token with raw key bytes and says why it was refused. Two formats carry the same claims: an HS256 JWT,
 * and oRPC's signed value (`<JSON claims>.<base64url HMAC-SHA256>`, as `sign` from `@orpc/server/helpers` makes it),
 * so apps that issue oRPC durable-iterator tokens can keep doing so. Uses only jose and WebCrypto, so every host judges
 * tokens with the same code, and the claims with the same rules as the client's parser.
 */
export async function verifyTokenWithKey(token: string, key: Uint8Array, nowMs: number): Promise<TokenVerification> {
  if (token.startsWith('{')) return verifySignedValue(token, key, nowMs)
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [TOKEN_ALGORITHM],
      currentDate: new Date(nowMs),
      requiredClaims: ['iat', 'exp'],
    })
    return claimsOf(payload)
  } catch (error) {
    return { ok: false, reason: refusalOf(error) }
  }
}

async function verifySignedValue(token: string, key: Uint8Array, nowMs: number): Promise<TokenVerification> {
  const unsigned = await unsignValue(token, key)
  if (!unsigned.ok) return unsigned
  let payload: unknown
  try {
    payload = JSON.parse(unsigned.value)
  } catch {
    return { ok: false, reason: 'malformed' }
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return { ok: false, reason: 'malformed' }
  const verification = claimsOf(payload)
  // The same rule as jose's for JWTs: expired from the second `exp` on.
  if (verification.ok && verification.claims.exp <= Math.floor(nowMs / 1000)) return { ok: false, reason: 'expired' }
  return verification
}

function claimsOf(payload: unknown): TokenVerification {
  try {
    return { ok: true, claims: checkClaims(payload) }
  } catch (error) {
    return { ok: false, reason: isMissingClaim(error) ? 'missing claims' : 'invalid claims' }
  }
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

/**
 * Verifies a token and says why it was refused. Only HS256 is accepted: `alg: none` and every other
 * algorithm are refused before any key is used.
 */
export async function inspectDurableIteratorToken(
  token: string,
  { signingKey, nowMs = Date.now() }: VerifyDurableIteratorTokenOptions,
): Promise<TokenVerification> {
  // Outside the verification: a key too short to use is a configuration error to report, not a refused token.
  return verifyTokenWithKey(token, toKeyBytes(signingKey), nowMs)
}

/** Verifies a token: its claims, or `undefined` for anything that is not a valid, unexpired HS256 token. */
export async function verifyDurableIteratorToken(
  token: string,
  options: VerifyDurableIteratorTokenOptions,
): Promise<DurableIteratorClaims | undefined> {
  const result = await inspectDurableIteratorToken(token, options)
  return result.ok ? result.claims : undefined
}
