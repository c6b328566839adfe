import { DEV, withGuidance } from '../dev.js'
import { DurableIteratorError } from '../errors.js'
import type { DurableIteratorClaims } from '../protocol/claims.js'
import { checkClaims } from '../protocol/claims-check.js'

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

/**
 * Reads the durable-iterator claims of a JWT or of an oRPC signed value (`<json>.<sig>`), checking only
 * their shape, with the same rules the hubs apply. Signatures are the server's business; the client needs `chn`,
 * `iat`, `exp` and `rpc`.
 */
export const parseDurableIteratorToken: TokenParser = (token) => checkClaims(JSON.parse(payloadJson(token)))

/** Parses a token procedure's output, turning any failure into an `INVALID_TOKEN` error that names the procedure. */
export function readToken(output: unknown, procedureName: string, parse: TokenParser): DurableIteratorClaims {
  if (typeof output !== 'string' || output.length === 0) {
    throw new DurableIteratorError(
      'INVALID_TOKEN',
      withGuidance(
        `The token procedure "${procedureName}" returned ${output === '' ? 'an empty string' : typeof output}, not a token.`,
        DEV &&
          "It should return a token made by signDurableIteratorToken() or a hub's issueToken() (or an oRPC " +
            'durable-iterator token).',
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
