import type { AnyRouter } from '@orpc/server'
import type { DurableIteratorHostOptions } from '../protocol/host-options.js'
import type { TokenFormat } from '../protocol/token-signing.js'
import type { RefuseUpgradesWith } from '../protocol/upgrade-refusal.js'

export type { IssueTokenOptions } from '../protocol/token-issuer.js'

export interface DurableIteratorHubOptions<TMethods extends AnyRouter> extends DurableIteratorHostOptions<TMethods> {
  /**
   * A subscriber whose socket holds more than this many events unsent (judged in frames of the size being sent) is
   * closed (1013) and resumes from its last id, instead of the hub buffering without bound.
   * @default 10000
   */
  maxQueuedEventsPerSubscriber?: number
  /**
   * Open sockets this hub accepts at most; further upgrades are closed with 1013 ("try again later").
   * @default 10000
   */
  maxSockets?: number
  /** Default lifetime of tokens made by `issueToken`. @default 3600 */
  tokenTtlSeconds?: number
  /**
   * Format of tokens made by `issueToken`: `'orpc'` for oRPC's signed value, which oRPC's own client needs. The hub
   * accepts both formats whatever this says.
   * @default 'jwt'
   */
  tokenFormat?: TokenFormat
  /**
   * How upgrades without a client id, without a valid token, or over `maxSockets` are refused: accepted and closed
   * with 4000/4001/1013 (`'close-code'`), or answered with HTTP 400/401/503 before upgrading (`'http-status'`, as
   * oRPC's server does, for proxies that cannot accept-then-close). Browsers see only the first kind's reason.
   * @default 'close-code'
   */
  refuseUpgradesWith?: RefuseUpgradesWith
}
