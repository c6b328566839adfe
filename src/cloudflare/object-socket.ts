import type { AnyRouter } from '@orpc/server'
import type { Channel, ChannelSocket } from '../protocol/channel.js'
import type { DurableIteratorClaims } from '../protocol/claims.js'
import { CloseCode, TOKEN_EXPIRED_REASON } from '../protocol/constants.js'
import type { PublishOptions } from '../protocol/delivery-filter.js'
import type { EncodedEvent } from '../protocol/event-frame.js'
import type { SubscribeRequest } from '../protocol/resume.js'
import type { RpcSocketHost } from '../protocol/socket-rpc.js'
import { withoutSubscription, withSubscription } from '../protocol/subscriptions.js'
import type { TokenVerification } from '../protocol/token-verification.js'
import { type HibernatableWebSocket, isOpen } from './runtime.js'
import { type SocketState, updateSocketState } from './socket-state.js'

/** What an object socket asks of the Durable Object it belongs to. */
export interface ObjectSocketOwner {
  readonly channel: Channel
  readonly methods: AnyRouter | undefined
  verifyToken(token: string): Promise<TokenVerification>
  publish(payload: object, options?: PublishOptions): void
  /** Claims changed: the expiry alarm may need to move. */
  claimsChanged(): void
}

/**
 * One hibernatable socket as the protocol sees it, rebuilt from its attachment whenever the object handles it (the
 * object may have been evicted in between). Changes are written back to the attachment as it is now, not as this
 * copy first read it: another message on the same socket may have changed it meanwhile.
 */
export class ObjectSocket implements ChannelSocket, RpcSocketHost {
  constructor(
    private readonly owner: ObjectSocketOwner,
    readonly socket: HibernatableWebSocket,
    private readonly state: SocketState,
  ) {}

  get clientId(): string {
    return this.state.clientId
  }

  get claims(): DurableIteratorClaims {
    return this.state.claims
  }

  get subscriptionIds(): readonly string[] {
    return this.state.subscriptionIds ?? []
  }

  get methods(): AnyRouter | undefined {
    return this.owner.methods
  }

  isOpen(): boolean {
    return isOpen(this.socket)
  }

  send(event: EncodedEvent, subscriptionId: string): void {
    try {
      this.socket.send(event.text(subscriptionId))
    } catch {
      // Closed meanwhile: the client resumes from its last id.
    }
  }

  close(code: number, reason: string): void {
    if (this.isOpen()) this.socket.close(code, reason)
  }

  expire(): void {
    this.close(CloseCode.invalidToken, TOKEN_EXPIRED_REASON)
  }

  /** Closes the socket if its token expired; true if it did (or had). */
  expireIfDue(nowMs: number): boolean {
    if (this.claims.exp * 1000 > nowMs) return false
    this.expire()
    return true
  }

  verifyToken(token: string): Promise<TokenVerification> {
    return this.owner.verifyToken(token)
  }

  replaceClaims(claims: DurableIteratorClaims): void {
    this.#update({ claims })
    this.owner.claimsChanged()
  }

  startSubscription(subscriptionId: string, request: SubscribeRequest): void {
    this.#update({ subscriptionIds: withSubscription(this.subscriptionIds, subscriptionId) })
    this.owner.channel.subscribe(this, subscriptionId, request, Date.now())
  }

  stopSubscription(subscriptionId: string): void {
    this.#update({ subscriptionIds: withoutSubscription(this.subscriptionIds, subscriptionId) })
  }

  publish(payload: object, options?: PublishOptions): void {
    this.owner.publish(payload, options)
  }

  #update(changes: Partial<SocketState>): void {
    const current = updateSocketState(this.socket, changes) ?? { ...this.state, ...changes }
    this.state.claims = current.claims
    this.state.subscriptionIds = current.subscriptionIds
  }
}
