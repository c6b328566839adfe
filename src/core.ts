// `react-durable-iterator/core`: the streams without React and without 'use client', for a Node script, a worker,
// another framework, or a React Server Component that prefetches a stream's token with the options the hook uses.
export type { ReconnectOptions } from './connection/backoff.js'
export type { DurableConnectionSettings } from './connection/connection-settings.js'
export type { DurableConnectionStatus } from './connection/connection-status.js'
export { type CreateDurableConnectionOptions, createDurableConnection } from './connection/create-connection.js'
export type { TabSharing } from './connection/cross-tab/tab-sharing.js'
export type { DurableConnection } from './connection/durable-connection.js'
export type { HeartbeatOptions } from './connection/heartbeat.js'
export type { ListenerErrorHandler } from './connection/listener-errors.js'
export type { DurableConnectionSnapshot } from './connection/snapshot.js'
export type { WebSocketConstructor } from './connection/socket-transport.js'
export type { DurableUrl } from './connection/socket-url.js'
export { DurableIteratorError, type DurableIteratorErrorCode } from './errors.js'
export type {
  DurableIteratorClaims,
  DurableIteratorToken,
  InferTokenEvent,
  InferTokenMethods,
} from './protocol/claims.js'
export { CloseCode } from './protocol/constants.js'
export { parseDurableIteratorToken, type TokenParser } from './token/parse-token.js'
export type {
  TokenCallOptions,
  TokenProcedure,
  TokenProcedureClient,
  TokenProcedureUtils,
} from './token/token-procedure.js'
export {
  type DurableIteratorTokenQuery,
  type DurableIteratorTokenQueryOptions,
  durableIteratorTokenOptions,
} from './token/token-query-options.js'
