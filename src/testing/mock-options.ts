import type { AnyRouter } from '@orpc/server'
import type { DurableIteratorHostOptions } from '../protocol/host-options.js'
import type { SigningKey } from '../protocol/signing-key.js'
import type { TokenFormat } from '../protocol/token-signing.js'

export interface DurableIteratorMockOptions<TMethods extends AnyRouter = Record<never, never>>
  extends Omit<DurableIteratorHostOptions<TMethods>, 'signingKey'> {
  /** The socket URL the client connects to (the provider's `url`, without `?id=&token=`); msw intercepts it. */
  url: string
  /**
   * The key the mock signs and verifies tokens with.
   * @default 48 random bytes, new for each mock
   */
  signingKey?: SigningKey
  /** Default lifetime of tokens made by `issueToken`. @default 3600 */
  tokenTtlSeconds?: number
  /** Format of tokens made by `issueToken` (both are read). @default 'jwt' */
  tokenFormat?: TokenFormat
  /** Open sockets accepted at most; more are closed with 1013. @default 10000 */
  maxSockets?: number
  /**
   * Only `'close-code'`: msw intercepts the socket itself, there is no HTTP upgrade to refuse with a status. Test
   * `'http-status'` against the Node hub or the Durable Object.
   * @default 'close-code'
   */
  refuseUpgradesWith?: 'close-code'
}
