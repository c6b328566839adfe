import type { EventStorage, LogCounters, RetainedEvent } from '../event-log.js'
import type { FirstSubscribed, FirstSubscribedStorage } from '../resume.js'

/** A channel's retained events in memory: consecutive sequence numbers, so a replay starts by arithmetic. */
export class MemoryEventStorage implements EventStorage {
  #events: RetainedEvent[] = []
  #counters: LogCounters | undefined

  readCounters(): LogCounters | undefined {
    return this.#counters
  }

  writeCounters(counters: LogCounters): void {
    this.#counters = counters
  }

  insert(event: RetainedEvent): void {
    this.#events.push(event)
  }

  after(seq: number): RetainedEvent[] {
    const firstRetained = this.#events[0]?.seq
    if (firstRetained === undefined) return []
    return this.#events.slice(Math.max(0, seq + 1 - firstRetained))
  }

  evict(publishedBeforeMs: number, keepAtMost: number): number | undefined {
    const events = this.#events
    let drop = 0
    while (
      drop < events.length &&
      (events.length - drop > keepAtMost || (events[drop]?.publishedAtMs ?? 0) < publishedBeforeMs)
    ) {
      drop++
    }
    if (drop === 0) return undefined
    return events.splice(0, drop).at(-1)?.seq
  }
}

/** First subscriptions in memory; expired ones are swept only once there are enough to be worth a pass. */
export class MemoryFirstSubscribed implements FirstSubscribedStorage {
  readonly #entries = new Map<string, FirstSubscribed>()

  constructor(private readonly sweepAbove: number) {}

  get(clientId: string): FirstSubscribed | undefined {
    return this.#entries.get(clientId)
  }

  set(clientId: string, entry: FirstSubscribed): void {
    this.#entries.set(clientId, entry)
  }

  forgetBefore(atMs: number): void {
    if (this.#entries.size < this.sweepAbove) return
    for (const [clientId, entry] of this.#entries) {
      if (entry.atMs < atMs) this.#entries.delete(clientId)
    }
  }
}
