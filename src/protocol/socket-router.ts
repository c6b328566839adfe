import { type AnyRouter, call, getRouter, implement, isProcedure, ORPCError, unlazy } from '@orpc/server'
import { HibernationEventIterator } from '@orpc/server/hibernation'
import type { DurableIteratorClaims } from './claims.js'
import { durableIteratorContract } from './contract.js'
import type { PublishOptions } from './delivery-filter.js'
import type { DurableIteratorMethodContext } from './method-context.js'
import type { SubscribeRequest } from './resume.js'
import { tokenUpdateRefusal } from './token-update.js'
import type { TokenVerification } from './token-verification.js'

/** What the socket router asks of the host for one socket. */
export interface SocketHost {
  readonly clientId: string
  /** The socket's current claims (replaced by an accepted `updateToken`). */
  readonly claims: DurableIteratorClaims
  /** Remote methods, run with `DurableIteratorMethodContext`. */
  readonly methods: AnyRouter | undefined
  verifyToken(token: string): Promise<TokenVerification>
  /** Swaps in the claims of a refreshed token (already checked against the current ones). */
  replaceClaims(claims: DurableIteratorClaims): void
  /** Runs once the `subscribe` response is sent: remembers the subscription and replays what the client missed. */
  startSubscription(subscriptionId: string, request: SubscribeRequest): void
  /** Publishes to the socket's channel, for remote methods. */
  publish(payload: object, options?: PublishOptions): void
  /** Hears about every `updateToken`, for counters. */
  onTokenUpdate?(accepted: boolean): void
}

/** oRPC spreads contexts, which would drop a class's methods: the host travels as a field. */
export interface SocketRouterContext {
  socket: SocketHost
}

const os = implement(durableIteratorContract).$context<SocketRouterContext>()

function methodContext(socket: SocketHost): DurableIteratorMethodContext {
  return {
    channel: socket.claims.chn,
    clientId: socket.clientId,
    claims: socket.claims,
    publish: (payload, options) => socket.publish(payload, options),
  }
}

/**
 * The durable-iterator procedures of one socket, for every host. `subscribe` answers with a hibernation iterator: the
 * response goes out at once, and the host sends the events itself (each encoded once for all subscribers) under the
 * request id it is handed, rather than oRPC serializing every event per subscriber from a loop per socket.
 */
export const socketRouter = os.router({
  subscribe: os.subscribe.handler(
    ({ context, input, lastEventId }) =>
      new HibernationEventIterator<object>((subscriptionId) =>
        context.socket.startSubscription(subscriptionId, { lastEventId, reportGaps: input?.reportGaps === true }),
      ) as unknown as AsyncIterator<unknown, void, unknown>,
  ),

  // The heartbeat probe's procedure: any answer proves the socket alive.
  ping: os.ping.handler(() => undefined),

  updateToken: os.updateToken.handler(async ({ context, input }) => {
    const { socket } = context
    const verification = await socket.verifyToken(input.token)
    const refusal = tokenUpdateRefusal(socket.claims, verification)
    socket.onTokenUpdate?.(refusal === undefined)
    if (refusal !== undefined) throw new ORPCError('UNAUTHORIZED', { message: `updateToken refused: ${refusal}.` })
    if (verification.ok) socket.replaceClaims(verification.claims)
  }),

  call: os.call.handler(async ({ context, input, signal, lastEventId }) => {
    const { socket } = context
    const [method] = input.path
    if (!socket.claims.rpc?.includes(method)) {
      throw new ORPCError('FORBIDDEN', {
        message: `Remote method "${method}" is not allowed by this token's rpc claim.`,
      })
    }
    const target = socket.methods && (await unlazy(getRouter(socket.methods, input.path))).default
    if (!isProcedure(target)) {
      throw new ORPCError('NOT_FOUND', { message: `No remote method at "${input.path.join('.')}".` })
    }
    return call(target, input.input as never, { context: methodContext(socket), signal, lastEventId })
  }),
})
