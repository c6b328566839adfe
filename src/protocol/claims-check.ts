import type { DurableIteratorClaims } from './claims.js'

const MISSING = ' claim is missing'

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

/**
 * The durable-iterator claims of a decoded token payload; throws an Error that names what is wrong with them. One rule
 * set for every reader: the client's token parser and the hubs' verification (which checks the signature and expiry
 * first). Dependency-free and small, since the client bundle carries it.
 */
export function checkClaims(payload: unknown): DurableIteratorClaims {
  if (typeof payload !== 'object' || payload === null) throw new Error('the payload is not a JSON object')
  const { chn, iat, exp, tags, att, rpc } = payload as Record<string, unknown>
  if (typeof chn !== 'string' || chn.length === 0) throw new Error(`the \`chn\`${MISSING}`)
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new Error(`the \`iat\`${MISSING}`)
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new Error(`the \`exp\`${MISSING}`)
  if (exp <= iat) throw new Error('`exp` is not after `iat`')
  if (tags !== undefined && !isStringArray(tags)) throw new Error('the `tags` claim is not a string array')
  if (rpc !== undefined && !isStringArray(rpc)) throw new Error('the `rpc` claim is not a string array')
  const claims: DurableIteratorClaims = { chn, iat, exp }
  if (tags !== undefined) claims.tags = tags
  if (att !== undefined) claims.att = att
  if (rpc !== undefined) claims.rpc = rpc
  return claims
}

/** Whether `checkClaims` refused a payload for lacking a claim (rather than for a claim of the wrong shape). */
export function isMissingClaim(error: unknown): boolean {
  return error instanceof Error && error.message.endsWith(MISSING)
}
