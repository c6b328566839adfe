/**
 * The test Worker's token procedures: tokens are signed inside the Worker with its SIGNING_KEY binding, as an app's
 * Worker issues them, and served over HTTP by oRPC's fetch handler at /rpc. What each procedure grants is the test's
 * choice (bindings set by the harness); an app decides it from the caller's session instead.
 */
import { os, type } from '@orpc/server'
import { RPCHandler } from '@orpc/server/fetch'
import {
  type DurableIteratorGrant,
  DurableIteratorTokenPlugin,
  signDurableIteratorToken,
  type TokenFormat,
} from '../../src/cloudflare/index.js'
import { type ChatMessage, type ChatMethods, roomInput } from '../../src/server/reference-app.js'
import { tokenRouter } from '../support/token-router'

export interface TokenEnv {
  SIGNING_KEY: string
  /** Lifetime of the tokens the procedures issue. */
  TOKEN_TTL_SECONDS: number
  TOKEN_FORMAT: TokenFormat
  /** What the `room` procedure grants besides the channel (the room). */
  ROOM_GRANT: Omit<DurableIteratorGrant, 'chn'>
}

/** A token for exactly this grant, for the protocol tests; `nowMs` in the past gives an expired one. */
export interface TokenRequest {
  grant: DurableIteratorGrant
  ttlSeconds?: number
  nowMs?: number
}

export function workerTokenRouter(env: TokenEnv) {
  const signing = { signingKey: env.SIGNING_KEY, ttlSeconds: env.TOKEN_TTL_SECONDS, tokenFormat: env.TOKEN_FORMAT }
  return {
    // The procedures tests/support/token-router.ts defines, with `room` granting ROOM_GRANT.
    ...tokenRouter((room) => signDurableIteratorToken({ ...env.ROOM_GRANT, chn: room }, signing)),
    // The reference app's chat token, the one the hook tests were written against.
    chat: {
      onMessage: os
        .input(roomInput)
        .handler(({ input }) =>
          signDurableIteratorToken<ChatMessage, ChatMethods>(
            { chn: `chat:${input.room}`, rpc: ['sendMessage'] },
            signing,
          ),
        ),
    },
    token: os
      .input(type<TokenRequest>())
      .handler(({ input: { grant, ttlSeconds = env.TOKEN_TTL_SECONDS, nowMs } }) =>
        signDurableIteratorToken(grant, { ...signing, ttlSeconds, nowMs }),
      ),
  }
}

export type WorkerTokenRouter = ReturnType<typeof workerTokenRouter>

const handlers = new WeakMap<TokenEnv, RPCHandler<Record<never, never>>>()

/** Serves the token procedures at /rpc, marked for oRPC's client as its own handler plugin marks them. */
export async function handleTokenRequest(request: Request, env: TokenEnv): Promise<Response | undefined> {
  let handler = handlers.get(env)
  if (!handler) {
    handler = new RPCHandler(workerTokenRouter(env), {
      plugins: [new DurableIteratorTokenPlugin({ signingKey: env.SIGNING_KEY })],
    })
    handlers.set(env, handler)
  }
  const { matched, response } = await handler.handle(request, { prefix: '/rpc', context: {} })
  return matched ? response : undefined
}
