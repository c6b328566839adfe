import { withEventMeta } from '@orpc/server'
import type { DeliveryFilter } from '../protocol/delivery-filter.js'

/** One published event as the hub keeps it for delivery and replay. */
export interface LoggedEvent {
  /** Sequence number; its decimal string is the event id sent to clients. */
  seq: number
  /** The payload wrapped with its id as oRPC event metadata. */
  message: object
  publishedAtMs: number
  filter: DeliveryFilter
}

export interface ChannelLogOptions {
  /** Events older than this are no longer replayed. 0 disables replay. */
  retentionMs: number
  /** At most this many events are kept for replay. */
  maxEvents: number
  /**
   * First sequence number. Seeded from the wall clock (in microseconds) so that a restarted hub issues
   * ids greater than any it issued before: a client's last id then never collides with a new event.
   */
  firstSeq: number
}

export interface Replay {
  events: LoggedEvent[]
  /**
   * False when events after the given id are no longer retained (or the id is from a hub that
   * restarted), so the subscriber may have missed some.
   */
  complete: boolean
}

/** A channel's ordered event log: assigns ids and keeps a bounded window of recent events for resume. */
export class ChannelLog {
  private readonly events: LoggedEvent[] = []
  private nextSeq: number
  /** The first sequence number this log can vouch for: older ones may have been evicted. */
  private oldestKnownSeq: number

  constructor(private readonly options: ChannelLogOptions) {
    this.nextSeq = options.firstSeq
    this.oldestKnownSeq = options.firstSeq
  }

  append(payload: object, filter: DeliveryFilter, nowMs: number): LoggedEvent {
    const seq = this.nextSeq++
    const event: LoggedEvent = {
      seq,
      message: withEventMeta(payload, { id: String(seq) }),
      publishedAtMs: nowMs,
      filter,
    }
    if (this.options.retentionMs > 0 && this.options.maxEvents > 0) {
      this.events.push(event)
      this.evict(nowMs)
    } else {
      this.oldestKnownSeq = this.nextSeq
    }
    return event
  }

  /** Events after `lastSeq`, in order, within the retention window. */
  since(lastSeq: number, nowMs: number): Replay {
    this.evict(nowMs)
    // Retained events have consecutive sequence numbers, so the first one to replay is found by arithmetic.
    const firstRetained = this.events[0]?.seq ?? this.nextSeq
    const events = this.events.slice(Math.max(0, lastSeq + 1 - firstRetained))
    return { events, complete: lastSeq + 1 >= this.oldestKnownSeq }
  }

  /** The id of the newest event, if any was published. */
  get lastSeq(): number | undefined {
    return this.nextSeq > this.options.firstSeq ? this.nextSeq - 1 : undefined
  }

  /** The sequence number of the first event this log issued (or will issue). */
  get firstSeq(): number {
    return this.options.firstSeq
  }

  get retainedCount(): number {
    return this.events.length
  }

  private evict(nowMs: number): void {
    const oldestAllowedMs = nowMs - this.options.retentionMs
    let drop = 0
    while (
      drop < this.events.length &&
      (this.events.length - drop > this.options.maxEvents || (this.events[drop]?.publishedAtMs ?? 0) < oldestAllowedMs)
    ) {
      drop++
    }
    if (drop === 0) return
    const removed = this.events.splice(0, drop)
    this.oldestKnownSeq = (removed.at(-1)?.seq ?? this.oldestKnownSeq - 1) + 1
  }
}
