import { implement, ORPCError } from '@orpc/server'
import type { DurableIteratorClaims } from '../../src'
import { durableIteratorContract } from '../../src/protocol/contract'

/** What the router needs from the mock server for one socket. */
export interface MockSocketContext {
  claims(): DurableIteratorClaims
  subscribe(lastEventId: string | undefined, signal: AbortSignal): AsyncGenerator<object, void>
  /** Swaps in a refreshed token; returns why it is refused, or undefined. */
  updateToken(token: string): string | undefined
  sendMessage(text: string): void
}

const os = implement(durableIteratorContract).$context<MockSocketContext>()

/** The three procedures of a durable-iterator socket, as the mock serves them. */
export const mockSocketRouter = os.router({
  subscribe: os.subscribe.handler(({ context, lastEventId, signal }) =>
    context.subscribe(lastEventId, signal ?? new AbortController().signal),
  ),

  updateToken: os.updateToken.handler(({ context, input }) => {
    const refusal = context.updateToken(input.token)
    if (refusal !== undefined) throw new ORPCError('UNAUTHORIZED', { message: `updateToken refused: ${refusal}` })
  }),

  call: os.call.handler(({ context, input }) => {
    const [method] = input.path
    if (!context.claims().rpc?.includes(method)) {
      throw new ORPCError('FORBIDDEN', { message: `Remote method "${method}" is not allowed by this token.` })
    }
    if (method !== 'sendMessage') throw new ORPCError('NOT_FOUND', { message: `No remote method "${method}".` })
    const text = (input.input as { text?: unknown } | undefined)?.text
    if (typeof text !== 'string') throw new ORPCError('BAD_REQUEST', { message: 'sendMessage expects { text }' })
    context.sendMessage(text)
  }),

  // A liveness probe: any answer proves the socket alive.
  ping: os.ping.handler(() => undefined),
})
