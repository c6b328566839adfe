import { errors, jwtVerify } from 'jose'
import type { DurableIteratorClaims } from './claims.js'
import { unsignValue } from './signed-value.js'

/** The only algorithm tokens may be signed with; `alg: none` and every other one are refused before any key is used. */
export const TOKEN_ALGORITHM = 'HS256'

/** Why a token was refused; never contains the token itself. */
export type TokenRefusal = 'malformed' | 'bad signature' | 'unsupported algorithm' | 'expired' | 'missing claims'

export type TokenVerification = { ok: true; claims: DurableIteratorClaims } | { ok: false; reason: TokenRefusal }

/**
 * Verifies a token with raw key bytes and says why it was refused. Two formats carry the same claims: an HS256 JWT,
 * and oRPC's signed value (`<JSON claims>.<base64url HMAC-SHA256>`, as `sign` from `@orpc/server/helpers` makes it),
 * so apps that issue oRPC durable-iterator tokens can keep doing so. Uses only jose and WebCrypto, so the Node hub
 * and the Durable Object judge tokens with the same code.
 */
export async function verifyTokenWithKey(token: string, key: Uint8Array, nowMs: number): Promise<TokenVerification> {
  if (token.startsWith('{')) return verifySignedValue(token, key, nowMs)
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [TOKEN_ALGORITHM],
      currentDate: new Date(nowMs),
      requiredClaims: ['iat', 'exp'],
    })
    const claims = toClaims(payload)
    return claims ? { ok: true, claims } : { ok: false, reason: 'missing claims' }
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
  const claims = toClaims(payload as Record<string, unknown>)
  if (!claims) return { ok: false, reason: 'missing claims' }
  // The same rule as jose's for JWTs: expired from the second `exp` on.
  if (claims.exp <= Math.floor(nowMs / 1000)) return { ok: false, reason: 'expired' }
  return { ok: true, claims }
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

function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const left = new Set(a ?? [])
  const right = new Set(b ?? [])
  return left.size === right.size && [...left].every((item) => right.has(item))
}

function isSubset(inner: readonly string[] | undefined, outer: readonly string[] | undefined): boolean {
  const allowed = new Set(outer ?? [])
  return (inner ?? []).every((item) => allowed.has(item))
}

/**
 * Why a refreshed token may not replace a socket's current claims (`updateToken`), or undefined if it may: it must
 * be valid, for the same channel and the same tags, and allow no remote method the current one does not.
 */
export function tokenUpdateRefusal(
  current: DurableIteratorClaims,
  verification: TokenVerification,
): string | undefined {
  if (!verification.ok)
    return `the new token is ${verification.reason === 'expired' ? 'expired' : `invalid (${verification.reason})`}`
  const next = verification.claims
  if (next.chn !== current.chn) return 'the new token is for another channel; open a new connection with it instead'
  if (!sameSet(next.tags, current.tags)) return 'the new token has other tags; open a new connection with it instead'
  if (!isSubset(next.rpc, current.rpc))
    return 'the new token allows more remote methods; open a new connection with it instead'
  return undefined
}
