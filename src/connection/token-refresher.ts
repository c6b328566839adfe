import type { DurableIteratorError } from '../errors.js'
import type { CurrentToken, TokenProvider } from '../token/token-source.js'
import { classifyTokenFailure } from './classify-failure.js'

const MAX_TIMER_MS = 2 ** 31 - 1

export interface TokenRefresherOptions {
  tokens: TokenProvider
  /** Whether the socket subscribed as `generation` is still the live one. */
  isLive(generation: number): boolean
  currentToken(): CurrentToken | undefined
  onToken(token: CurrentToken): void
  /** Sends `updateToken` over the live socket. */
  updateInBand(token: string): Promise<unknown>
  /** The server refused the new token in-band: reconnect (the provider will use the new token). */
  reconnectWith(): void
  fail(error: DurableIteratorError): void
  retryDelayMs(failures: number): number
}

/**
 * Proactive refresh: shortly before the token expires, fetch the next one through the query cache and
 * hand it to the live socket with `updateToken`, so the stream never reconnects because of a token.
 */
export class TokenRefresher {
  private timer: ReturnType<typeof setTimeout> | undefined
  private failures = 0
  private running = false

  constructor(private readonly options: TokenRefresherOptions) {}

  /** Arms the timer for the current token's refresh time. */
  schedule(generation: number): void {
    clearTimeout(this.timer)
    const token = this.options.currentToken()
    if (!token) return
    const delayMs = Math.min(Math.max(token.timing.refreshAtMs - Date.now(), 0), MAX_TIMER_MS)
    this.timer = setTimeout(() => this.refreshNow(generation), delayMs)
  }

  /** Refreshes now (the token was invalidated, or the app woke up past the refresh time). */
  refreshNow(generation: number): void {
    clearTimeout(this.timer)
    if (this.running || !this.options.isLive(generation)) return
    this.running = true
    void this.run(generation).finally(() => {
      this.running = false
    })
  }

  stop(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.failures = 0
  }

  private async run(generation: number): Promise<void> {
    const { tokens, isLive } = this.options
    let next: CurrentToken
    try {
      next = await tokens.get({ fresh: false })
      // Judged on another clock, the cache may still call the old token fresh: ask for a new one.
      if (next.token === this.options.currentToken()?.token) next = await tokens.get({ fresh: true })
    } catch (error) {
      if (!isLive(generation)) return
      const failure = classifyTokenFailure(error, tokens.procedureName)
      if (failure.terminal) {
        this.options.fail(failure.error)
        return
      }
      // Keep trying while the old token lasts; if it runs out, the server closes and a reconnect takes over.
      this.failures++
      this.timer = setTimeout(() => this.refreshNow(generation), this.options.retryDelayMs(this.failures))
      return
    }
    this.failures = 0
    // A reconnect happened meanwhile; the new socket already took its token from the cache.
    if (!isLive(generation)) return
    this.options.onToken(next)
    try {
      await this.options.updateInBand(next.token)
    } catch {
      if (isLive(generation)) this.options.reconnectWith()
      return
    }
    if (isLive(generation)) this.schedule(generation)
  }
}
