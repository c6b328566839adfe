export type { DurableIteratorClaims, DurableIteratorToken } from '../protocol/claims.js'
export { CloseCode } from '../protocol/constants.js'
export type { PublishOptions, SubscriberInfo, SubscriberSelector } from '../protocol/delivery-filter.js'
export { HEARTBEAT_ANSWER_FRAME, HEARTBEAT_PROBE_FRAME } from '../protocol/heartbeat.js'
export type { DurableIteratorMethodContext } from '../protocol/method-context.js'
export type { SigningKey } from '../protocol/signing-key.js'
export type { RefuseUpgradesWith } from '../protocol/upgrade-refusal.js'
export {
  createDurableIteratorObject,
  type DurableIteratorObject,
  type DurableIteratorObjectClass,
  type DurableIteratorObjectOptions,
} from './durable-iterator-object.js'
export { answerHeartbeatsWithoutWaking } from './heartbeat-auto-response.js'
export { publishDurableIteratorEvent, type RemotePublishOptions } from './publish.js'
export type {
  DurableObjectNamespaceLike,
  DurableObjectStateLike,
  DurableObjectStubLike,
  HibernatableWebSocket,
} from './runtime.js'
export { type UpgradeDurableIteratorRequestOptions, upgradeDurableIteratorRequest } from './upgrade.js'
