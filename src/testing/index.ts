// `react-durable-iterator/testing`: a durable-iterator hub for tests and stories, served through msw.
export * from '../protocol/host-exports.js'
export type { IssueTokenOptions } from '../protocol/token-issuer.js'
export {
  createDurableIteratorMock,
  type DurableIteratorMock,
  type MockRefusal,
} from './create-durable-iterator-mock.js'
export type { DurableIteratorMockOptions } from './mock-options.js'
export type { DurableIteratorMockStats } from './mock-stats.js'
