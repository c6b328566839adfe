import type { AnyRouter } from '@orpc/server'
import type { ChannelEvent, ChannelName } from './channel-map.js'
import type { DurableIteratorToken } from './claims.js'
import type { GrantableMethodName, GrantedMethods } from './granted-methods.js'
import type { SigningKey } from './signing-key.js'
import { type DurableIteratorGrant, signDurableIteratorToken, type TokenFormat } from './token-signing.js'

export interface IssueTokenOptions<TRpc extends readonly string[] = readonly string[]>
  extends Omit<DurableIteratorGrant<TRpc>, 'chn'> {
  /** @default the hub's `tokenTtlSeconds` */
  ttlSeconds?: number
}

/**
 * A hub's `issueToken`: signs a token for `channel` with the hub's key. The returned string carries, for
 * `useDurableEventIterator`, the type of the channel's events and the remote methods the token may call.
 */
export interface IssueToken<TMethods extends AnyRouter, TChannels> {
  /**
   * Types inferred: the events are those the hub's channel map gives `channel`, and `rpc` offers exactly the methods a
   * literal `rpc` claim names (none without one).
   *
   * ```ts
   * hub.issueToken(`chat:${room}`, { rpc: ['sendMessage'] })
   * ```
   */
  <
    const TChannel extends ChannelName<TChannels>,
    const TRpc extends readonly GrantableMethodName<TMethods>[] = readonly [],
  >(
    channel: TChannel,
    options?: IssueTokenOptions<TRpc>,
  ): Promise<DurableIteratorToken<ChannelEvent<TChannels, TChannel>, GrantedMethods<TMethods, TRpc>>>
  /**
   * Types given: `TEvent` for the events, and the methods of `TTokenMethods` (default: all of the hub's) that `TRpc`
   * names (default: any of them) for `rpc`.
   *
   * ```ts
   * hub.issueToken<ChatMessage>(`chat:${room}`, { rpc: ['sendMessage'] })
   * ```
   */
  <
    TEvent,
    TTokenMethods extends AnyRouter = TMethods,
    const TRpc extends readonly GrantableMethodName<TTokenMethods>[] = readonly GrantableMethodName<TTokenMethods>[],
  >(
    channel: ChannelName<TChannels>,
    options?: IssueTokenOptions<TRpc>,
  ): Promise<DurableIteratorToken<TEvent, GrantedMethods<TTokenMethods, TRpc>>>
}

export interface TokenIssuerOptions {
  signingKey: SigningKey
  /** @default 3600 */
  tokenTtlSeconds?: number
  /** @default 'jwt' */
  tokenFormat?: TokenFormat
}

/** The `issueToken` of a hub that holds the signing key; `onIssued` hears of every token (for counters). */
export function tokenIssuer<TMethods extends AnyRouter, TChannels>(
  { signingKey, tokenTtlSeconds = 3600, tokenFormat }: TokenIssuerOptions,
  onIssued: (token: string, channel: string) => void,
): IssueToken<TMethods, TChannels> {
  async function issueToken(channel: string, { ttlSeconds = tokenTtlSeconds, ...grant }: IssueTokenOptions = {}) {
    const token = await signDurableIteratorToken({ ...grant, chn: channel }, { signingKey, ttlSeconds, tokenFormat })
    onIssued(token, channel)
    return token
  }
  // The types are the caller's: at runtime every token is a string, whatever the overload.
  return issueToken as IssueToken<TMethods, TChannels>
}
