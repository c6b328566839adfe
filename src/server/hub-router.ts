import { type AnyRouter, call, getRouter, implement, isProcedure, ORPCError, unlazy } from '@orpc/server'
import { durableIteratorContract } from '../protocol/contract.js'
import type { DurableIteratorMethodContext } from '../protocol/method-context.js'
import { tokenUpdateRefusal } from '../protocol/token-verification.js'
import type { SocketSession } from './socket-session.js'
import type { TokenVerification } from './token.js'

/** What the socket router needs from the hub; one per hub, shared by every socket. */
export interface HubRouterContext {
  session: SocketSession
  verifyToken(token: string): Promise<TokenVerification>
  subscribe(
    session: SocketSession,
    options: { lastEventId: string | undefined; reportGaps: boolean },
    signal: AbortSignal,
  ): AsyncGenerator<object, void>
  onTokenUpdate(session: SocketSession, accepted: boolean): void
  methodContext(session: SocketSession): DurableIteratorMethodContext
  methods: AnyRouter | undefined
}

const os = implement(durableIteratorContract).$context<HubRouterContext>()

export const hubRouter = os.router({
  subscribe: os.subscribe.handler(({ context, input, lastEventId, signal }) =>
    context.subscribe(
      context.session,
      { lastEventId, reportGaps: input?.reportGaps === true },
      signal ?? new AbortController().signal,
    ),
  ),

  ping: os.ping.handler(() => undefined),

  updateToken: os.updateToken.handler(async ({ context, input }) => {
    const verification = await context.verifyToken(input.token)
    const refusal = tokenUpdateRefusal(context.session.claims, verification)
    context.onTokenUpdate(context.session, refusal === undefined)
    if (refusal !== undefined) throw new ORPCError('UNAUTHORIZED', { message: `updateToken refused: ${refusal}.` })
    if (verification.ok) context.session.replaceClaims(verification.claims)
  }),

  call: os.call.handler(async ({ context, input, signal, lastEventId }) => {
    const [method] = input.path
    if (!context.session.claims.rpc?.includes(method)) {
      throw new ORPCError('FORBIDDEN', {
        message: `Remote method "${method}" is not allowed by this token's rpc claim.`,
      })
    }
    const target = context.methods && (await unlazy(getRouter(context.methods, input.path))).default
    if (!isProcedure(target)) {
      throw new ORPCError('NOT_FOUND', { message: `No remote method at "${input.path.join('.')}".` })
    }
    return call(target, input.input as never, {
      context: context.methodContext(context.session),
      signal,
      lastEventId,
    })
  }),
})
