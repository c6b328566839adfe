import type { Context, Router } from '@orpc/server'
import type { StandardHandlerOptions, StandardHandlerPlugin } from '@orpc/server/standard'
import { type SigningKey, toKeyBytes } from './signing-key.js'
import { verifyTokenWithKey } from './token-verification.js'

/** The response header oRPC's client (`DurableIteratorLinkPlugin`) looks for to treat an output as a stream token. */
export const DURABLE_ITERATOR_TOKEN_HEADER = 'x-orpc-durable-iterator'

export interface DurableIteratorTokenPluginOptions {
  /** The key the hub's tokens are signed with: only outputs signed with it are marked. */
  signingKey: SigningKey
}

const MARK = Symbol('react-durable-iterator token response')

/** Per request: whether the procedure's output was one of this hub's tokens. */
interface TokenMark {
  isToken: boolean
}

/**
 * An oRPC handler plugin that marks the responses of token procedures with `x-orpc-durable-iterator: 1`, as oRPC's
 * own `DurableIteratorHandlerPlugin` does, so oRPC's client turns them into durable iterators. A response is marked
 * when the procedure returned a token signed with `signingKey` (expired or not); every other output, including
 * other strings and other JWTs, passes unmarked. oRPC's client reads only tokens in the `'orpc'` format.
 *
 * ```ts
 * new RPCHandler(router, { plugins: [new DurableIteratorTokenPlugin({ signingKey })] })
 * ```
 */
export class DurableIteratorTokenPlugin<TContext extends Context> implements StandardHandlerPlugin<TContext> {
  /** After oRPC's batch plugin, so each response of a batch is judged by its own procedure. */
  readonly order = 1_500_000
  readonly #key: Uint8Array

  constructor({ signingKey }: DurableIteratorTokenPluginOptions) {
    this.#key = toKeyBytes(signingKey)
  }

  init(options: StandardHandlerOptions<TContext>, _router: Router<Record<never, never>, TContext>): void {
    options.interceptors ??= []
    options.clientInterceptors ??= []

    options.interceptors.unshift(async (request) => {
      const mark: TokenMark = { isToken: false }
      const result = await request.next({ ...request, context: { ...request.context, [MARK]: mark } })
      if (!result.matched || !mark.isToken) return result
      const headers = { ...result.response.headers, [DURABLE_ITERATOR_TOKEN_HEADER]: '1' }
      return { ...result, response: { ...result.response, headers } }
    })

    options.clientInterceptors.unshift(async (call) => {
      const output = await call.next()
      const mark = (call.context as Record<symbol, TokenMark | undefined>)[MARK]
      if (mark && typeof output === 'string' && (await this.#isHubToken(output))) mark.isToken = true
      return output
    })
  }

  async #isHubToken(output: string): Promise<boolean> {
    const verification = await verifyTokenWithKey(output, this.#key, Date.now())
    return verification.ok || verification.reason === 'expired'
  }
}
