import type { DurableIteratorClaims } from './claims.js'
import { CLIENT_ID_PARAM, CloseCode, TOKEN_PARAM } from './constants.js'
import type { TokenRefusal, TokenVerification } from './token-verification.js'

/** Why an upgrade was refused (closed right after it was accepted, or answered with an HTTP error). */
export type UpgradeRefusal = 'missing client id' | 'missing token' | TokenRefusal | 'too many sockets'

/** The parameters of an upgrade URL; when one repeats, the last value wins (as oRPC's server reads them). */
export function readUpgradeParams(url: URL): { clientId: string | undefined; token: string | undefined } {
  return {
    clientId: url.searchParams.getAll(CLIENT_ID_PARAM).at(-1) || undefined,
    token: url.searchParams.getAll(TOKEN_PARAM).at(-1) || undefined,
  }
}

/** An upgrade the hub serves, or how it refuses one: what it counts, the close code, and the reason it gives. */
export type UpgradeVerdict =
  | { ok: true; clientId: string; claims: DurableIteratorClaims }
  | { ok: false; refusal: UpgradeRefusal; code: number; reason: string }

export interface JudgeUpgradeOptions {
  verifyToken(token: string): Promise<TokenVerification>
  /** The hub's open sockets and its `maxSockets`: at the limit, refused with 1013 before the token is even read. */
  sockets?: { open: number; max: number }
}

/**
 * Decides whether an upgrade request may become a socket: a client id, a token that verifies, and room for one more
 * socket. Every host asks this before accepting, and refuses with the verdict's code and reason (as a close after the
 * upgrade, or as the matching HTTP status before it).
 */
export async function judgeUpgrade(url: URL, { verifyToken, sockets }: JudgeUpgradeOptions): Promise<UpgradeVerdict> {
  if (sockets && sockets.open >= sockets.max) {
    return refused('too many sockets', CloseCode.tryAgainLater, `too many sockets (${sockets.max}): try again later`)
  }
  const { clientId, token } = readUpgradeParams(url)
  if (!clientId) return refused('missing client id', CloseCode.missingClientId, 'missing `id` query parameter')
  if (!token) return refused('missing token', CloseCode.invalidToken, 'missing `token` query parameter')
  const verification = await verifyToken(token)
  if (!verification.ok) {
    return refused(verification.reason, CloseCode.invalidToken, `invalid token: ${verification.reason}`)
  }
  return { ok: true, clientId, claims: verification.claims }
}

function refused(refusal: UpgradeRefusal, code: number, reason: string): UpgradeVerdict {
  return { ok: false, refusal, code, reason }
}
