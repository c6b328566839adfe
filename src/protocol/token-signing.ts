import type { AnyRouter } from '@orpc/server'
import { SignJWT } from 'jose'
import type { DurableIteratorClaims, DurableIteratorToken } from './claims.js'
import type { GrantableMethodName, GrantedMethods } from './granted-methods.js'
import { signValue } from './signed-value.js'
import { type SigningKey, toKeyBytes } from './signing-key.js'
import { TOKEN_ALGORITHM } from './token-verification.js'

/** What a token grants; `iat` and `exp` are added when it is signed. */
export interface DurableIteratorGrant<TRpc extends readonly string[] = readonly string[]>
  extends Omit<DurableIteratorClaims, 'iat' | 'exp' | 'rpc'> {
  /** Names of the remote methods this token may call; without it, none. */
  rpc?: TRpc
}

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

/**
 * Signs a token with the durable-iterator claims, setting `iat` and `exp`: an HS256 JWT, or oRPC's signed value. Runs
 * wherever WebCrypto does (Node, Workers, browsers). `TEvent` and `TMethods` (the remote methods' router) travel with
 * the returned string to `useDurableEventIterator`, which types `events` and `rpc` by them; `rpc` offers the methods
 * the `rpc` claim may name, or exactly those of `TRpc` when it is given:
 *
 * ```ts
 * signDurableIteratorToken<ChatMessage, typeof methods>({ chn: 'chat:lobby', rpc: ['sendMessage'] }, { signingKey, ttlSeconds: 300 })
 * ```
 */
export async function signDurableIteratorToken<
  TEvent = unknown,
  TMethods extends AnyRouter = Record<never, never>,
  const TRpc extends readonly GrantableMethodName<TMethods>[] = readonly GrantableMethodName<TMethods>[],
>(
  grant: DurableIteratorGrant<TRpc>,
  { signingKey, ttlSeconds, nowMs = Date.now(), tokenFormat = 'jwt' }: SignDurableIteratorTokenOptions,
): Promise<DurableIteratorToken<TEvent, GrantedMethods<TMethods, TRpc>>> {
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
