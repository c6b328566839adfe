/**
 * The claims a durable-iterator token carries, with the names oRPC's durable iterator uses.
 * `iat` and `exp` are whole seconds since the epoch, on the issuing server's clock.
 */
export interface DurableIteratorClaims {
  /** Channel the token grants access to. */
  chn: string
  /** Only events published with one of these tags (or with no tags) reach this token's socket. */
  tags?: readonly string[]
  /** Attachment visible to the client and to remote methods. */
  att?: unknown
  /** Names of the remote methods this token may call. */
  rpc?: readonly string[]
  iat: number
  exp: number
}

/**
 * A token string that also carries, at the type level only, the type of the stream's events and of its
 * remote methods. At runtime it is a plain `string`; the brand lets `useDurableEventIterator` infer
 * `TEvent` and `TMethods` from the procedure that returns it.
 */
export type DurableIteratorToken<TEvent = unknown, TMethods = Record<never, never>> = string & {
  // A string key, not a unique symbol: the client and server entries each declare this type, and only a
  // structural brand is the same brand in both.
  readonly '~durableIteratorTypes'?: { event: TEvent; methods: TMethods }
}

/** The event type a token procedure's output carries; `unknown` for a plain string. */
export type InferTokenEvent<TToken> =
  TToken extends DurableIteratorToken<infer TEvent, infer _TMethods> ? TEvent : unknown

/** The remote-method map a token procedure's output carries. */
export type InferTokenMethods<TToken> =
  TToken extends DurableIteratorToken<infer _TEvent, infer TMethods> ? TMethods : Record<never, never>
