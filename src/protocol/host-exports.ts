// What every host entry (`/server`, `/cloudflare`, `/testing`) exports of the protocol, written once.
export type { DurableIteratorClaims, DurableIteratorToken } from './claims.js'
export { CloseCode } from './constants.js'
export type { PublishOptions, SubscriberInfo, SubscriberSelector } from './delivery-filter.js'
export type { DurableIteratorMethodContext } from './method-context.js'
export type { SigningKey } from './signing-key.js'
export type { RefuseUpgradesWith } from './upgrade-refusal.js'
