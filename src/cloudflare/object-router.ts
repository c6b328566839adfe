import { type AnyRouter, call, getRouter, implement, isProcedure, ORPCError, unlazy } from '@orpc/server'
import { HibernationEventIterator } from '@orpc/server/hibernation'
import type { DurableIteratorClaims } from '../protocol/claims.js'
import { durableIteratorContract } from '../protocol/contract.js'
import type { DurableIteratorMethodContext } from '../protocol/method-context.js'
import { type TokenVerification, tokenUpdateRefusal } from '../protocol/token-verification.js'
import type { SocketState } from './socket-state.js'

/** What the object's socket router needs for one message; built per message, since the object may have woken. */
export interface ObjectRouterContext {
  state: SocketState
  verifyToken(token: string): Promise<TokenVerification>
  replaceClaims(claims: DurableIteratorClaims): void
  /** Runs once the subscribe response is sent: remembers the subscription and replays what the client missed. */
  onSubscribed(subscriptionId: string, options: { lastEventId: string | undefined; reportGaps: boolean }): void
  methodContext(): DurableIteratorMethodContext
  methods: AnyRouter | undefined
}

const os = implement(durableIteratorContract).$context<ObjectRouterContext>()

/**
 * The durable-iterator procedures as the Durable Object serves them. Same contract and refusal rules as the Node
 * hub's router; `subscribe` returns a hibernation iterator, so events are sent from `publish`, not from a loop
 * that would keep the object awake.
 */
export const objectRouter = os.router({
  subscribe: os.subscribe.handler(
    ({ context, input, lastEventId }) =>
      new HibernationEventIterator<object>((subscriptionId) =>
        context.onSubscribed(subscriptionId, { lastEventId, reportGaps: input?.reportGaps === true }),
      ) as unknown as AsyncIterator<unknown, void, unknown>,
  ),

  ping: os.ping.handler(() => undefined),

  updateToken: os.updateToken.handler(async ({ context, input }) => {
    const verification = await context.verifyToken(input.token)
    const refusal = tokenUpdateRefusal(context.state.claims, verification)
    if (refusal !== undefined) throw new ORPCError('UNAUTHORIZED', { message: `updateToken refused: ${refusal}.` })
    if (verification.ok) context.replaceClaims(verification.claims)
  }),

  call: os.call.handler(async ({ context, input, signal, lastEventId }) => {
    const [method] = input.path
    if (!context.state.claims.rpc?.includes(method)) {
      throw new ORPCError('FORBIDDEN', {
        message: `Remote method "${method}" is not allowed by this token's rpc claim.`,
      })
    }
    const target = context.methods && (await unlazy(getRouter(context.methods, input.path))).default
    if (!isProcedure(target)) {
      throw new ORPCError('NOT_FOUND', { message: `No remote method at "${input.path.join('.')}".` })
    }
    return call(target, input.input as never, { context: context.methodContext(), signal, lastEventId })
  }),
})
