import type { DurableIteratorError } from '../errors.js'
import type { CurrentToken, TokenProvider } from '../token/token-source.js'
import { classifyTokenFailure } from './classify-failure.js'

const MAX_TIMER_MS = 2 ** 31 - 1

export interface TokenRefresherOptions {
  tokens: TokenProvider
  /** Whether the socket subscribed as `socketId` is still the live one. */
  isLive(socketId: number): boolean
  currentToken(): CurrentToken | undefined
  onToken(token: CurrentToken): void
  /** Sends `updateToken` over the live socket. */
  updateInBand(token: string): Promise<unknown>
  /** The server refused the new token in-band: reconnect (the next attempt takes the new token from the cache). */
  reconnectWith(cause: unknown): void
  fail(error: DurableIteratorError): void
  retryDelayMs(failures: number): number
}

/**
 * Proactive refresh: shortly before the token expires, fetch the next one through the query cache and hand it to
 * the live socket with `updateToken`, so the stream never reconnects because of a token. An invalidation that
 * arrives while a refresh is in flight runs another one after it, with a token fetched after the invalidation.
 */
export class TokenRefresher {
  #timer: ReturnType<typeof setTimeout> | undefined
  #failures = 0
  /** The refresh in flight; `stop()` forgets it, so what it finds out later is dropped. */
  #inFlight: object | undefined
  #rerunFresh = false

  readonly #options: TokenRefresherOptions

  constructor(options: TokenRefresherOptions) {
    this.#options = options
  }

  /** Arms the timer for the current token's refresh time. */
  schedule(socketId: number): void {
    clearTimeout(this.#timer)
    const token = this.#options.currentToken()
    if (!token) return
    const delayMs = Math.min(Math.max(token.timing.refreshAtMs - Date.now(), 0), MAX_TIMER_MS)
    this.#timer = setTimeout(() => this.refreshNow(socketId), delayMs)
  }

  /**
   * Refreshes now: the refresh time came, the app woke up past it, or (`fresh`) the app invalidated the token, in
   * which case the cached token is not reused.
   */
  refreshNow(socketId: number, { fresh = false }: { fresh?: boolean } = {}): void {
    clearTimeout(this.#timer)
    if (!this.#options.isLive(socketId)) return
    if (this.#inFlight) {
      this.#rerunFresh ||= fresh
      return
    }
    const run = {}
    this.#inFlight = run
    void this.#run(socketId, fresh, run).finally(() => {
      if (this.#inFlight !== run) return
      this.#inFlight = undefined
      if (!this.#rerunFresh) return
      this.#rerunFresh = false
      this.refreshNow(socketId, { fresh: true })
    })
  }

  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#failures = 0
    this.#inFlight = undefined
    this.#rerunFresh = false
  }

  #isActive(run: object, socketId: number): boolean {
    return this.#inFlight === run && this.#options.isLive(socketId)
  }

  async #run(socketId: number, fresh: boolean, run: object): Promise<void> {
    const { tokens } = this.#options
    let next: CurrentToken
    try {
      next = (await tokens.get({ fresh })).current
      // Judged on another clock, the cache may still call the old token fresh: ask for a new one.
      if (next.token === this.#options.currentToken()?.token) next = (await tokens.get({ fresh: true })).current
    } catch (error) {
      if (!this.#isActive(run, socketId)) return
      const failure = classifyTokenFailure(error, tokens.procedureName)
      if (failure.terminal) {
        this.#options.fail(failure.error)
        return
      }
      // Keep trying while the old token lasts; if it runs out, the server closes and a reconnect takes over.
      this.#failures++
      this.#timer = setTimeout(() => this.refreshNow(socketId, { fresh }), this.#options.retryDelayMs(this.#failures))
      return
    }
    this.#failures = 0
    // A reconnect happened meanwhile (the new socket took its token from the cache), or the app invalidated the
    // token while it was being fetched (the rerun fetches one issued after that).
    if (!this.#isActive(run, socketId) || this.#rerunFresh) return
    this.#options.onToken(next)
    try {
      await this.#options.updateInBand(next.token)
    } catch (error) {
      if (this.#isActive(run, socketId)) this.#options.reconnectWith(error)
      return
    }
    if (this.#isActive(run, socketId)) this.schedule(socketId)
  }
}
