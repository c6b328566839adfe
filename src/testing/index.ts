// `react-durable-iterator/testing`: a durable-iterator hub for tests and stories, served through msw.
export type { DurableIteratorClaims, DurableIteratorToken } from '../protocol/claims.js'
export type { DurableIteratorMethodContext } from '../protocol/method-context.js'
export {
  createDurableIteratorMock,
  type DurableIteratorMock,
  type MockIssueTokenOptions,
  type MockRefusal,
} from './create-durable-iterator-mock.js'
export type { DurableIteratorMockOptions } from './mock-options.js'
export type { DurableIteratorMockStats } from './mock-stats.js'
