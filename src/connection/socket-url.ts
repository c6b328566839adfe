import { DEV, withGuidance } from '../dev.js'
import { DurableIteratorError } from '../errors.js'
import type { DurableIteratorClaims } from '../protocol/claims.js'
import { CLIENT_ID_PARAM, TOKEN_PARAM } from '../protocol/constants.js'

/** Where the durable endpoint is: fixed, or chosen per token (e.g. by channel), sync or async. */
export type DurableUrl =
  | string
  | URL
  | ((context: { token: string; claims: DurableIteratorClaims }) => string | URL | Promise<string | URL>)

/** The upgrade URL of one attempt: the endpoint plus the stable client id and the current token. */
export async function socketUrl(
  url: DurableUrl,
  context: { token: string; claims: DurableIteratorClaims },
  clientId: string,
): Promise<string> {
  const endpoint = typeof url === 'function' ? await url(context) : url
  let parsed: URL
  try {
    parsed = new URL(endpoint, globalThis.location?.href)
  } catch (cause) {
    throw new DurableIteratorError(
      'INVALID_URL',
      withGuidance(
        `The durable endpoint "${String(endpoint)}" is not a valid URL.`,
        DEV && 'Pass a ws:// or wss:// URL as `url`.',
      ),
      { cause },
    )
  }
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:'
  if (parsed.protocol === 'https:') parsed.protocol = 'wss:'
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new DurableIteratorError(
      'INVALID_URL',
      `The durable endpoint must be a ws:// or wss:// URL, got ${parsed.protocol}//.`,
    )
  }
  parsed.searchParams.set(CLIENT_ID_PARAM, clientId)
  parsed.searchParams.set(TOKEN_PARAM, context.token)
  return parsed.toString()
}

/** One random id per shared connection, kept across reconnects (the server resumes and filters by it). */
export function createClientId(): string {
  const crypto = globalThis.crypto
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID()
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** An upgrade URL without its query string (which holds the token), for messages. */
export function endpointOf(url: string | undefined): string {
  if (!url) return 'the durable endpoint'
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return 'the durable endpoint'
  }
}
