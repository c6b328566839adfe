import type { DurableIteratorClaims } from './claims.js'
import type { PublishOptions } from './delivery-filter.js'

/** The context remote methods (the hub's `methods`) run with. */
export interface DurableIteratorMethodContext {
  /** The caller's channel, from its token. */
  channel: string
  /** The caller's stable client id: use it in `exclude` to skip the sender. */
  clientId: string
  /** The caller's current token claims, including the attachment `att`. */
  claims: DurableIteratorClaims
  /** Publishes to the caller's channel. */
  publish(payload: object, options?: PublishOptions): void
}
