import { type AnyRouter, call, getRouter, implement, isProcedure, ORPCError, unlazy } from '@orpc/server'
import { durableIteratorContract } from '../protocol/contract.js'
import type { DurableIteratorMethodContext } from './method-context.js'
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

function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const left = new Set(a ?? [])
  const right = new Set(b ?? [])
  return left.size === right.size && [...left].every((item) => right.has(item))
}

function isSubset(inner: readonly string[] | undefined, outer: readonly string[] | undefined): boolean {
  const allowed = new Set(outer ?? [])
  return (inner ?? []).every((item) => allowed.has(item))
}

/** Why a refreshed token may not replace the socket's current one, or undefined if it may. */
function updateRefusal(context: HubRouterContext, verification: TokenVerification): string | undefined {
  if (!verification.ok)
    return `the new token is ${verification.reason === 'expired' ? 'expired' : `invalid (${verification.reason})`}`
  const current = context.session.claims
  const next = verification.claims
  if (next.chn !== current.chn) return 'the new token is for another channel; open a new connection with it instead'
  if (!sameSet(next.tags, current.tags)) return 'the new token has other tags; open a new connection with it instead'
  if (!isSubset(next.rpc, current.rpc))
    return 'the new token allows more remote methods; open a new connection with it instead'
  return undefined
}

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
    const refusal = updateRefusal(context, verification)
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
