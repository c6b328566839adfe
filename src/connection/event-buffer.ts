import { getEventMeta } from '@orpc/client'

/** Whether `id` comes after `lastId`. Numeric ids (the hub's, oRPC's) compare as numbers. */
function isAfter(id: string, lastId: string): boolean {
  if (/^\d+$/.test(id) && /^\d+$/.test(lastId)) {
    return id.length !== lastId.length ? id.length > lastId.length : id > lastId
  }
  return id !== lastId
}

/**
 * The stream's shared, bounded event buffer (newest last) and its resume point. Events whose id is not
 * after the last one are dropped, so a replay that overlaps what was already seen delivers nothing twice.
 */
export class EventBuffer<TEvent> {
  /** Replaced, never mutated, so snapshots can hold it. */
  events: readonly TEvent[] = []
  lastEvent: TEvent | undefined
  lastEventId: string | undefined

  constructor(private capacity: number) {}

  /** Grows the buffer for a user who asked for more events; it never shrinks while shared. */
  ensureCapacity(capacity: number): void {
    this.capacity = Math.max(this.capacity, capacity)
  }

  /** Adds an event; false if it was a duplicate and was dropped. */
  accept(event: TEvent): boolean {
    const id = getEventMeta(event)?.id
    if (id !== undefined && this.lastEventId !== undefined && !isAfter(id, this.lastEventId)) return false
    if (id !== undefined) this.lastEventId = id
    this.lastEvent = event
    const kept =
      this.events.length >= this.capacity ? this.events.slice(this.events.length - this.capacity + 1) : this.events
    this.events = this.capacity > 0 ? [...kept, event] : []
    return true
  }
}
