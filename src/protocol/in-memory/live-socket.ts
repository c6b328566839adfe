import type { AnyRouter } from '@orpc/server'
import type { ChannelSocket } from '../channel.js'
import type { DurableIteratorClaims } from '../claims.js'
import { CloseCode, TOKEN_EXPIRED_REASON } from '../constants.js'
import type { PublishOptions } from '../delivery-filter.js'
import type { EncodedEvent } from '../event-frame.js'
import type { SubscribeRequest } from '../resume.js'
import { type RpcSocketHost, SocketRpc } from '../socket-rpc.js'
import { withoutSubscription, withSubscription } from '../subscriptions.js'
import type { TokenVerification } from '../token-verification.js'
import type { SocketTransport } from './socket-transport.js'

/** What a live socket asks of the in-memory hub that accepted it. */
export interface LiveSocketHub {
  readonly methods: AnyRouter | undefined
  verifyToken(token: string): Promise<TokenVerification>
  publish(channel: string, payload: object, options?: PublishOptions): void
  subscribed(socket: LiveSocket, subscriptionId: string, request: SubscribeRequest): void
  unsubscribed(socket: LiveSocket): void
  counters: {
    tokenUpdate(accepted: boolean): void
    frameRejected(): void
    expiredClose(): void
  }
}

// setTimeout fires at once for delays over 2^31-1 ms; longer expiries are re-armed.
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * One accepted socket of an in-memory hub: who it is, what its token grants, its live subscriptions, the oRPC end
 * of the wire, and the 4001 close when its token expires without an update.
 */
export class LiveSocket implements ChannelSocket, RpcSocketHost {
  subscriptionIds: readonly string[] = []
  readonly #rpc: SocketRpc
  #expiryTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly hub: LiveSocketHub,
    private readonly transport: SocketTransport,
    readonly clientId: string,
    public claims: DurableIteratorClaims,
    { maxFrameBytes }: { maxFrameBytes?: number } = {},
  ) {
    this.#rpc = new SocketRpc((frame) => transport.send(frame), { maxFrameBytes })
    this.#armExpiry()
  }

  get channel(): string {
    return this.claims.chn
  }

  get methods(): AnyRouter | undefined {
    return this.hub.methods
  }

  /** Hands a frame from the client to the oRPC end. */
  receive(frame: string | Uint8Array): Promise<void> {
    return this.#rpc.receive(frame, this)
  }

  isOpen(): boolean {
    return this.transport.isOpen()
  }

  send(event: EncodedEvent, subscriptionId: string): void {
    this.transport.send(
      this.transport.frameEncoding === 'utf8' ? event.bytes(subscriptionId) : event.text(subscriptionId),
    )
  }

  verifyToken(token: string): Promise<TokenVerification> {
    return this.hub.verifyToken(token)
  }

  replaceClaims(claims: DurableIteratorClaims): void {
    this.claims = claims
    this.#armExpiry()
  }

  startSubscription(subscriptionId: string, request: SubscribeRequest): void {
    if (!this.isOpen()) return
    this.subscriptionIds = withSubscription(this.subscriptionIds, subscriptionId)
    this.hub.subscribed(this, subscriptionId, request)
  }

  stopSubscription(subscriptionId: string): void {
    const before = this.subscriptionIds
    this.subscriptionIds = withoutSubscription(before, subscriptionId)
    if (before.length > 0 && this.subscriptionIds.length === 0) this.hub.unsubscribed(this)
  }

  publish(payload: object, options?: PublishOptions): void {
    this.hub.publish(this.channel, payload, options)
  }

  onTokenUpdate(accepted: boolean): void {
    this.hub.counters.tokenUpdate(accepted)
  }

  onFrameRejected(): void {
    this.hub.counters.frameRejected()
  }

  expire(): void {
    if (!this.isOpen()) return
    this.hub.counters.expiredClose()
    this.close(CloseCode.invalidToken, TOKEN_EXPIRED_REASON)
  }

  close(code: number, reason: string): void {
    this.#stopExpiry()
    if (this.isOpen()) this.transport.close(code, reason)
  }

  /** Cuts the socket without a close handshake. */
  cut(): void {
    this.#stopExpiry()
    this.transport.cut()
  }

  /** The transport closed: end what runs on this socket and leave its channel. */
  closed(): void {
    this.#stopExpiry()
    this.#rpc.close()
    if (this.subscriptionIds.length === 0) return
    this.subscriptionIds = []
    this.hub.unsubscribed(this)
  }

  #armExpiry(): void {
    this.#stopExpiry()
    const delayMs = this.claims.exp * 1000 - Date.now()
    this.#expiryTimer = setTimeout(
      () => {
        if (this.claims.exp * 1000 > Date.now()) this.#armExpiry()
        else this.expire()
      },
      Math.min(Math.max(delayMs, 0), MAX_TIMER_MS),
    )
    this.#expiryTimer.unref?.()
  }

  #stopExpiry(): void {
    clearTimeout(this.#expiryTimer)
    this.#expiryTimer = undefined
  }
}
