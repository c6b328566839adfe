import type { AnyRouter, RouterClient } from '@orpc/server'
import type { DurableIteratorToken } from '../protocol/claims.js'
import type { SigningKey } from '../protocol/signing-key.js'
import { type DurableIteratorGrant, signDurableIteratorToken, type TokenFormat } from '../protocol/token-signing.js'

export interface DurableIteratorTokenOptions extends Omit<DurableIteratorGrant, 'chn'> {
  signingKey: SigningKey
  /** Lifetime of the token. @default 3600 */
  ttlSeconds?: number
  /**
   * `'orpc'` issues oRPC's signed value (`<JSON claims>.<signature>`), which oRPC's own client needs; pair it with
   * `DurableIteratorTokenPlugin` on the handler. This package's client reads both.
   * @default 'jwt'
   */
  tokenFormat?: TokenFormat
}

/**
 * What an oRPC token procedure returns to hand a client its stream. The type parameters travel with the
 * returned string to `useDurableEventIterator`, which infers the event type and the remote methods from it:
 *
 * ```ts
 * onMessage: os.handler(() => durableIteratorToken<ChatMessage, typeof chatMethods>('chat:lobby', { signingKey, rpc: ['sendMessage'] }))
 * ```
 */
export function durableIteratorToken<TEvent = unknown, TMethods extends AnyRouter = Record<never, never>>(
  channel: string,
  { signingKey, ttlSeconds = 3600, tokenFormat, ...grant }: DurableIteratorTokenOptions,
): Promise<DurableIteratorToken<TEvent, RouterClient<TMethods>>> {
  return signDurableIteratorToken({ ...grant, chn: channel }, { signingKey, ttlSeconds, tokenFormat })
}
