import { backoffDelayMs, type ReconnectOptions } from './backoff.js'
import type { SocketPhase } from './close-policy.js'

/**
 * How long a subscription must last (unless it delivers an event first) for its end to count as a lost stream,
 * retried at once, rather than as one more failed attempt: a server that fails every subscription right away
 * must meet growing backoff and `maxRetries`, not a reconnect loop.
 */
export const STABLE_UPTIME_MS = 500

/** What the next attempt asks of the token source. */
export interface TokenRequest {
  /** Do not reuse the cached token. */
  fresh: boolean
  /** The token procedure already failed in this outage: a cached token that has not expired will do. */
  acceptUnexpired: boolean
}

/**
 * What a stream remembers across one run of failed attempts: how many failed in a row (backoff, `maxRetries`),
 * whether the next token must be fresh, and whether the token procedure was already asked, so an outage costs at
 * most one token call unless the server refused the token.
 */
export class Outage {
  /** Failed attempts in a row. */
  failures = 0
  /** The current attempt's token was fetched for it, not taken from the cache. */
  tokenWasFresh = false
  #needFreshToken = false
  #freshTokenAsked = false
  #tokenCallFailed = false
  #subscribedAtMs: number | undefined
  #eventsSinceSubscribed = 0

  /** Whether a fresh token was already asked for in this outage. */
  get refetchedThisOutage(): boolean {
    return this.#freshTokenAsked
  }

  /** The delay before the next attempt: none for the first, then backoff with jitter. */
  delayMs(options: Required<ReconnectOptions>): number {
    return backoffDelayMs(this.failures - 1, options)
  }

  requireFreshToken(): void {
    this.#needFreshToken = true
  }

  /** Asked once per need: if that call fails, later attempts fall back to the cached token. */
  nextTokenRequest(): TokenRequest {
    const fresh = this.#needFreshToken
    this.#needFreshToken = false
    if (fresh) this.#freshTokenAsked = true
    return { fresh, acceptUnexpired: !fresh && this.#tokenCallFailed }
  }

  tokenArrived(fetched: boolean): void {
    this.tokenWasFresh = fetched
  }

  tokenCallFailedNow(): void {
    this.#tokenCallFailed = true
  }

  subscribed(nowMs: number): void {
    this.#subscribedAtMs = nowMs
    this.#eventsSinceSubscribed = 0
  }

  eventArrived(): void {
    this.#eventsSinceSubscribed++
  }

  attemptFailed(): void {
    this.failures++
  }

  /**
   * A socket ended. A stable subscription that ended is a lost stream: a new outage starts with an immediate
   * retry. Anything else is one more failed attempt.
   */
  socketEnded(phase: SocketPhase, nowMs: number): 'lost' | 'failed' {
    const subscribedAtMs = this.#subscribedAtMs
    this.#subscribedAtMs = undefined
    const stable =
      phase === 'subscribed' &&
      subscribedAtMs !== undefined &&
      (this.#eventsSinceSubscribed > 0 || nowMs - subscribedAtMs >= STABLE_UPTIME_MS)
    if (!stable) {
      this.failures++
      return 'failed'
    }
    this.failures = 1
    this.#freshTokenAsked = false
    this.#tokenCallFailed = false
    return 'lost'
  }

  /** Forgets everything (the stream starts again after `close()` or `error`). */
  reset(): void {
    this.failures = 0
    this.tokenWasFresh = false
    this.#needFreshToken = false
    this.#freshTokenAsked = false
    this.#tokenCallFailed = false
    this.#subscribedAtMs = undefined
    this.#eventsSinceSubscribed = 0
  }
}
