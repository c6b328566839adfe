export * from '../protocol/host-exports.js'
export type { DurableIteratorHubStats } from '../protocol/hub-stats.js'
export {
  type DurableIteratorGrant,
  type SignDurableIteratorTokenOptions,
  signDurableIteratorToken,
  type TokenFormat,
} from '../protocol/token-signing.js'
export {
  type VerifyDurableIteratorTokenOptions,
  verifyDurableIteratorToken,
} from '../protocol/token-verification.js'
export type { UpgradeRefusal } from '../protocol/upgrade-gate.js'
export { type DurableIteratorTokenOptions, durableIteratorToken } from './durable-iterator-token.js'
export {
  createDurableIteratorHub,
  type DurableIteratorHub,
  type DurableIteratorHubOptions,
  type IssueTokenOptions,
} from './hub.js'
export type { ChatMessage, ChatMethods, ReferenceRouter, Tick } from './reference-app.js'
export { type ReferenceServer, type ReferenceServerOptions, startReferenceServer } from './reference-server.js'
export {
  DURABLE_ITERATOR_TOKEN_HEADER,
  DurableIteratorTokenPlugin,
  type DurableIteratorTokenPluginOptions,
} from './token-header-plugin.js'
