export { HEARTBEAT_ANSWER_FRAME, HEARTBEAT_PROBE_FRAME } from '../protocol/heartbeat.js'
export * from '../protocol/host-exports.js'
export * from '../protocol/token-exports.js'
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
