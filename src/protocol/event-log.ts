import type { DeliveryFilter } from './delivery-filter.js'
import { encodeEventData } from './event-frame.js'

/** One published event as a channel keeps it for delivery and replay. */
export interface RetainedEvent {
  /** Sequence number; its decimal string is the event id sent to clients. */
  seq: number
  /** The payload as an event message carries it (`encodeEventData`), encoded once at publish. */
  data: string
  publishedAtMs: number
  filter: DeliveryFilter
}

/** The numbers that make a log's ids unique and its resume answers honest. */
export interface LogCounters {
  /** The sequence number of the first event this log issued (or will issue). */
  firstSeq: number
  nextSeq: number
  /** The first sequence number the log can vouch for: older ones may have been evicted. */
  oldestKnownSeq: number
}

/** Where a host keeps a channel's retained events (in memory, in a Durable Object's SQLite…). */
export interface EventStorage {
  /** The counters written last, or undefined for a new log. */
  readCounters(): LogCounters | undefined
  writeCounters(counters: LogCounters): void
  insert(event: RetainedEvent): void
  /** Retained events with a sequence number above `seq`, in order. */
  after(seq: number): RetainedEvent[]
  /**
   * Removes the events published before `publishedBeforeMs` and all but the newest `keepAtMost`; returns the highest
   * sequence number removed, or undefined if none was.
   */
  evict(publishedBeforeMs: number, keepAtMost: number): number | undefined
}

export interface EventLogOptions {
  /** Events older than this are no longer replayed. 0 disables replay. */
  retentionMs: number
  /** At most this many events are kept for replay. */
  maxEvents: number
}

export interface Replay {
  events: RetainedEvent[]
  /**
   * False when events after the given id are no longer retained (or the id is from a hub that restarted), so the
   * subscriber may have missed some.
   */
  complete: boolean
}

/**
 * A channel's ordered event log, whatever stores it: consecutive ids seeded from the clock, a bounded window (time
 * and count) of recent events for resume, and an honest answer to "is everything after this id still here?".
 */
export class EventLog {
  #counters: LogCounters

  constructor(
    private readonly storage: EventStorage,
    private readonly options: EventLogOptions,
    nowMs = Date.now(),
  ) {
    const stored = storage.readCounters()
    if (stored) {
      this.#counters = stored
    } else {
      // Microseconds of the wall clock: ids of a restarted hub (or a recreated object) sort after any it issued
      // before, so a client's last id never collides with a new event.
      const firstSeq = nowMs * 1000
      this.#counters = { firstSeq, nextSeq: firstSeq, oldestKnownSeq: firstSeq }
      storage.writeCounters(this.#counters)
    }
  }

  /** Assigns the next id to an event, encodes its payload once, and retains it if retention is on. */
  append(payload: object, filter: DeliveryFilter, nowMs: number): RetainedEvent {
    const seq = this.#counters.nextSeq
    const event: RetainedEvent = { seq, data: encodeEventData(payload), publishedAtMs: nowMs, filter }
    const retains = this.options.retentionMs > 0 && this.options.maxEvents > 0
    this.#counters = {
      ...this.#counters,
      nextSeq: seq + 1,
      // Nothing is kept: no id before the next one can be vouched for.
      oldestKnownSeq: retains ? this.#counters.oldestKnownSeq : seq + 1,
    }
    this.storage.writeCounters(this.#counters)
    if (retains) {
      this.storage.insert(event)
      this.#evict(nowMs)
    }
    return event
  }

  /** Events after `lastSeq`, in order, within the retention window. */
  since(lastSeq: number, nowMs: number): Replay {
    this.#evict(nowMs)
    return { events: this.storage.after(lastSeq), complete: lastSeq + 1 >= this.#counters.oldestKnownSeq }
  }

  /** The sequence number just before the next event: where a subscriber that starts now resumes from. */
  get headSeq(): number {
    return this.#counters.nextSeq - 1
  }

  #evict(nowMs: number): void {
    const evicted = this.storage.evict(nowMs - this.options.retentionMs, this.options.maxEvents)
    if (evicted === undefined || evicted < this.#counters.oldestKnownSeq) return
    this.#counters = { ...this.#counters, oldestKnownSeq: evicted + 1 }
    this.storage.writeCounters(this.#counters)
  }
}
