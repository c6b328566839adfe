import { getEventMeta } from '@orpc/client'

/** Whether `id` comes after `lastId`. Numeric ids (the hub's, oRPC's) compare as numbers. */
function isAfter(id: string, lastId: string): boolean {
  if (/^\d+$/.test(id) && /^\d+$/.test(lastId)) {
    return id.length !== lastId.length ? id.length > lastId.length : id > lastId
  }
  return id !== lastId
}

/**
 * The stream's shared, bounded event buffer (newest last) and its resume point. Events whose id is not after the
 * last one are dropped, so a replay that overlaps what was already seen delivers nothing twice. A ring: adding an
 * event costs the same whatever the capacity, and the array readers get is built once per read after a change.
 */
export class EventBuffer<TEvent> {
  lastEvent: TEvent | undefined
  lastEventId: string | undefined
  #ring: TEvent[] = []
  /** Where the oldest event sits once the ring is full. */
  #start = 0
  #array: readonly TEvent[] | undefined = []

  #capacity: number

  constructor(capacity: number) {
    this.#capacity = capacity
  }

  /** The buffered events, oldest first; the same array until the next event, so snapshots can hold it. */
  get events(): readonly TEvent[] {
    this.#array ??= [...this.#ring.slice(this.#start), ...this.#ring.slice(0, this.#start)]
    return this.#array
  }

  /** Grows the buffer for a user who asked for more events; it never shrinks while shared. */
  ensureCapacity(capacity: number): void {
    if (capacity <= this.#capacity) return
    this.#ring = [...this.events]
    this.#start = 0
    this.#capacity = capacity
  }

  /** Replaces the contents with `events` (oldest first), as another tab had them, without announcing any. */
  restore(events: readonly TEvent[], lastEventId: string | undefined): void {
    this.#ring = events.slice(-Math.max(this.#capacity, 0))
    this.#start = 0
    this.#array = undefined
    this.lastEvent = events.at(-1)
    this.lastEventId = lastEventId
  }

  /** Adds an event; false if it was a duplicate and was dropped. */
  accept(event: TEvent): boolean {
    const id = getEventMeta(event)?.id
    if (id !== undefined && this.lastEventId !== undefined && !isAfter(id, this.lastEventId)) return false
    if (id !== undefined) this.lastEventId = id
    this.lastEvent = event
    if (this.#capacity <= 0) return true
    if (this.#ring.length < this.#capacity) this.#ring.push(event)
    else {
      this.#ring[this.#start] = event
      this.#start = (this.#start + 1) % this.#capacity
    }
    this.#array = undefined
    return true
  }
}
