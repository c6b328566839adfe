// The server-safe entry (`react-durable-iterator/token`): no 'use client', no React, so a React Server
// Component can prefetch a stream's token with the same options the hook uses.
export type { DurableIteratorClaims, DurableIteratorToken } from '../protocol/claims.js'
export { parseDurableIteratorToken, type TokenParser } from './parse-token.js'
export type { TokenCallOptions, TokenProcedure, TokenProcedureClient, TokenProcedureUtils } from './token-procedure.js'
export { type DurableIteratorTokenQueryOptions, durableIteratorTokenOptions } from './token-query-options.js'
