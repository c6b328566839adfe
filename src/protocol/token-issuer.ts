import type { AnyRouter, RouterClient } from '@orpc/server'
import type { DurableIteratorToken } from './claims.js'
import type { SigningKey } from './signing-key.js'
import { type DurableIteratorGrant, signDurableIteratorToken, type TokenFormat } from './token-signing.js'

export interface IssueTokenOptions extends Omit<DurableIteratorGrant, 'chn'> {
  /** @default the hub's `tokenTtlSeconds` */
  ttlSeconds?: number
}

/**
 * A hub's `issueToken`: signs a token for `channel` with the hub's key. `TEvent` and `TTokenMethods` (default: all of
 * the hub's methods) type the client's stream and `rpc`.
 */
export type IssueToken<TMethods extends AnyRouter> = <TEvent = unknown, TTokenMethods extends AnyRouter = TMethods>(
  channel: string,
  options?: IssueTokenOptions,
) => Promise<DurableIteratorToken<TEvent, RouterClient<TTokenMethods>>>

export interface TokenIssuerOptions {
  signingKey: SigningKey
  /** @default 3600 */
  tokenTtlSeconds?: number
  /** @default 'jwt' */
  tokenFormat?: TokenFormat
}

/** The `issueToken` of a hub that holds the signing key; `onIssued` hears of every token (for counters). */
export function tokenIssuer<TMethods extends AnyRouter>(
  { signingKey, tokenTtlSeconds = 3600, tokenFormat }: TokenIssuerOptions,
  onIssued: (token: string, channel: string) => void,
): IssueToken<TMethods> {
  return async (channel, { ttlSeconds = tokenTtlSeconds, ...grant } = {}) => {
    const token = await signDurableIteratorToken({ ...grant, chn: channel }, { signingKey, ttlSeconds, tokenFormat })
    onIssued(token, channel)
    return token
  }
}
