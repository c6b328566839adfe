import { DEV, withGuidance } from '../dev.js'
import { DurableIteratorError } from '../errors.js'
import type { DurableIteratorClaims } from '../protocol/claims.js'

/** Reads claims from a token without verifying it (the server verifies). Throw to refuse a token. */
export type TokenParser = (token: string) => DurableIteratorClaims

function decodeBase64Url(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='))
  return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)))
}

function payloadJson(token: string): string {
  // oRPC's signed value: `<json>.<base64url signature>`, split at the last dot (the JSON may contain dots).
  if (token.startsWith('{')) {
    const lastDot = token.lastIndexOf('.')
    if (lastDot <= 0) throw new Error('a signed value needs `<json>.<signature>`')
    return token.slice(0, lastDot)
  }
  const segments = token.split('.')
  if (segments.length !== 3 || !segments[1]) throw new Error('a JWT has three dot-separated parts')
  return decodeBase64Url(segments[1])
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

/**
 * Reads the durable-iterator claims of a JWT or of an oRPC signed value (`<json>.<sig>`), checking only
 * their shape. Signatures are the server's business; the client needs `chn`, `iat`, `exp` and `rpc`.
 */
export const parseDurableIteratorToken: TokenParser = (token) => {
  const payload: unknown = JSON.parse(payloadJson(token))
  if (typeof payload !== 'object' || payload === null) throw new Error('the payload is not a JSON object')
  const { chn, iat, exp, tags, att, rpc } = payload as Record<string, unknown>
  if (typeof chn !== 'string' || chn.length === 0) throw new Error('the `chn` claim is missing')
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new Error('the `iat` claim is missing')
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new Error('the `exp` claim is missing')
  if (exp <= iat) throw new Error('`exp` is not after `iat`')
  if (tags !== undefined && !isStringArray(tags)) throw new Error('the `tags` claim is not a string array')
  if (rpc !== undefined && !isStringArray(rpc)) throw new Error('the `rpc` claim is not a string array')
  const claims: DurableIteratorClaims = { chn, iat, exp }
  if (tags !== undefined) claims.tags = tags
  if (att !== undefined) claims.att = att
  if (rpc !== undefined) claims.rpc = rpc
  return claims
}

/** Parses a token procedure's output, turning any failure into an `INVALID_TOKEN` error that names the procedure. */
export function readToken(output: unknown, procedureName: string, parse: TokenParser): DurableIteratorClaims {
  if (typeof output !== 'string' || output.length === 0) {
    throw new DurableIteratorError(
      'INVALID_TOKEN',
      withGuidance(
        `The token procedure "${procedureName}" returned ${output === '' ? 'an empty string' : typeof output}, not a token.`,
        DEV && 'It should return the string made by durableIteratorToken() (or an oRPC durable-iterator token).',
      ),
    )
  }
  try {
    return parse(output)
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause)
    throw new DurableIteratorError(
      'INVALID_TOKEN',
      withGuidance(
        `The token procedure "${procedureName}" returned a token that cannot be read (${why}).`,
        DEV &&
          'Return a JWT or an oRPC signed value with `chn`, `iat` and `exp` claims, or pass `parseToken` to the provider.',
      ),
      { cause },
    )
  }
}
