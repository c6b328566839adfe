export * from '../protocol/host-exports.js'
export type { DurableIteratorHubStats } from '../protocol/hub-stats.js'
export * from '../protocol/token-exports.js'
export type { UpgradeRefusal } from '../protocol/upgrade-gate.js'
export {
  createDurableIteratorHub,
  type DurableIteratorHub,
  type DurableIteratorHubOptions,
  type IssueTokenOptions,
} from './hub.js'
export { type ReferenceServer, type ReferenceServerOptions, startReferenceServer } from './reference-server.js'
