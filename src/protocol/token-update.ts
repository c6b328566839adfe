import type { DurableIteratorClaims } from './claims.js'
import type { TokenVerification } from './token-verification.js'

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
