import type { DurableIteratorClaims } from './claims.js'
import { GAP_MARKER_COMMENT } from './constants.js'
import { isDeliverable, type PublishOptions, resolveDeliveryFilter, type SubscriberInfo } from './delivery-filter.js'
import { EncodedEvent } from './event-frame.js'
import type { EventLog } from './event-log.js'
import { checkPayload } from './payload.js'
import { type FirstSubscribedStorage, planReplay, type ResumeSource, type SubscribeRequest } from './resume.js'

/** A socket as a channel sends to it, whatever host runs it. */
export interface ChannelSocket extends SubscriberInfo {
  readonly claims: DurableIteratorClaims
  /** Request ids of the socket's live `subscribe` calls; events go out under each. */
  readonly subscriptionIds: readonly string[]
  isOpen(): boolean
  /** Sends an event under one subscription's request id. */
  send(event: EncodedEvent, subscriptionId: string): void
  /** Closes the socket because its token expired without an update. */
  expire(): void
}

export interface ChannelOptions {
  log: EventLog
  firstSubscribed: FirstSubscribedStorage
  retentionMs: number
}

/** The marker sent before a replay that is missing events, when the subscriber asked for gap reports. */
const GAP_MARKER = new EncodedEvent('{"json":{}}', { comments: [GAP_MARKER_COMMENT] })

/**
 * One channel's protocol: publishing (filter, log, encode once, fan out) and starting a subscription (resume point,
 * replay, gap report). Hosts hand it their sockets; it never knows how they are stored or sent to.
 */
export class Channel {
  readonly #source: ResumeSource

  constructor(options: ChannelOptions) {
    this.#source = options
  }

  /**
   * Keeps the event for resume and sends it to every open, subscribed socket whose token allows it. `sockets` are the
   * channel's current subscribers, which a `targets`/`exclude` predicate is judged against. Returns the deliveries.
   */
  publish(payload: object, options: PublishOptions, sockets: Iterable<ChannelSocket>, nowMs: number): number {
    checkPayload(payload)
    const open = [...sockets].filter((socket) => socket.isOpen())
    const filter = resolveDeliveryFilter(options, open)
    const retained = this.#source.log.append(payload, filter, nowMs)
    const event = new EncodedEvent(retained.data, { id: String(retained.seq) })
    let delivered = 0
    for (const socket of open) {
      if (socket.subscriptionIds.length === 0) continue
      // A token that expired is closed when the hub next sends to it, even if the host's own timer has not fired.
      if (socket.claims.exp * 1000 <= nowMs) {
        socket.expire()
        continue
      }
      if (!isDeliverable(filter, socket)) continue
      for (const subscriptionId of socket.subscriptionIds) {
        socket.send(event, subscriptionId)
        delivered++
      }
    }
    return delivered
  }

  /**
   * Sends a new subscription what it is owed before live events: a gap marker if it asked and events were lost, then
   * the retained events after its resume point that it may see. Call it in the same synchronous step as adding the
   * subscription to the socket, so that no event falls between the replay and the live ones.
   */
  subscribe(
    socket: ChannelSocket,
    subscriptionId: string,
    request: SubscribeRequest,
    nowMs: number,
  ): { gap: boolean; replayed: number } {
    const plan = planReplay(this.#source, socket, request.lastEventId, nowMs)
    if (plan.gap && request.reportGaps) socket.send(GAP_MARKER, subscriptionId)
    for (const event of plan.events) {
      socket.send(new EncodedEvent(event.data, { id: String(event.seq) }), subscriptionId)
    }
    return { gap: plan.gap, replayed: plan.events.length }
  }
}
