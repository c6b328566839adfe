export type { ReconnectOptions } from './connection/backoff.js'
export type { ConnectionLease } from './connection/connection-registry.js'
export type { DurableConnectionSettings } from './connection/connection-settings.js'
export type { DurableConnectionStatus } from './connection/connection-status.js'
export { type CreateDurableConnectionOptions, createDurableConnection } from './connection/create-connection.js'
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
export { DurableIteratorProvider, type DurableIteratorProviderProps } from './react/DurableIteratorProvider.js'
export {
  type UseDurableEventIteratorOptions,
  type UseDurableEventIteratorResult,
  useDurableEventIterator,
} from './react/useDurableEventIterator.js'
export { parseDurableIteratorToken, type TokenParser } from './token/parse-token.js'
export type {
  TokenCallOptions,
  TokenProcedure,
  TokenProcedureClient,
  TokenProcedureUtils,
} from './token/token-procedure.js'
export { type DurableIteratorTokenQueryOptions, durableIteratorTokenOptions } from './token/token-query-options.js'
