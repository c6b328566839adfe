import type { WebSocket } from 'ws'
import type { DurableIteratorClaims } from '../protocol/claims.js'
import { CloseCode } from '../protocol/constants.js'
import type { SubscriberInfo } from '../protocol/delivery-filter.js'
import type { LoggedEvent } from './channel-log.js'
import type { EventQueue } from './event-queue.js'

// setTimeout fires at once for delays over 2^31-1 ms; longer expiries are re-armed.
const MAX_TIMER_MS = 2 ** 31 - 1

/** One accepted socket: who it is, what its token grants, and its live subscriptions. */
export class SocketSession implements SubscriberInfo {
  readonly subscriptions = new Set<EventQueue<LoggedEvent>>()
  private expiryTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    readonly clientId: string,
    public claims: DurableIteratorClaims,
    readonly socket: WebSocket,
    private readonly onExpired: (session: SocketSession) => void,
  ) {
    this.armExpiry()
  }

  get channel(): string {
    return this.claims.chn
  }

  /** Swaps in the claims of a refreshed token and moves the expiry close accordingly. */
  replaceClaims(claims: DurableIteratorClaims): void {
    this.claims = claims
    this.armExpiry()
  }

  close(code: number, reason: string): void {
    this.dispose()
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason)
    }
  }

  dispose(): void {
    clearTimeout(this.expiryTimer)
    this.expiryTimer = undefined
  }

  private armExpiry(): void {
    clearTimeout(this.expiryTimer)
    const delayMs = this.claims.exp * 1000 - Date.now()
    this.expiryTimer = setTimeout(
      () => {
        if (this.claims.exp * 1000 > Date.now()) {
          this.armExpiry()
          return
        }
        this.onExpired(this)
        this.close(CloseCode.invalidToken, 'token expired')
      },
      Math.min(Math.max(delayMs, 0), MAX_TIMER_MS),
    )
    this.expiryTimer.unref?.()
  }
}
