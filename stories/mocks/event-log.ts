import { withEventMeta } from '@orpc/server'

interface LoggedEvent<TPayload> {
  id: number
  payload: TPayload
}

/**
 * The mock channel's history: events with consecutive ids (1, 2, 3…), kept so that a subscriber that
 * comes back with `lastEventId` gets exactly the events it missed.
 */
export class EventLog<TPayload extends object> {
  private readonly events: LoggedEvent<TPayload>[] = []
  private readonly wakers = new Set<() => void>()
  private lastId = 0

  constructor(private readonly retention = 1000) {}

  /** Appends an event made from its id, and wakes every subscriber. */
  publish(make: (id: number) => TPayload): void {
    const id = ++this.lastId
    this.events.push({ id, payload: make(id) })
    if (this.events.length > this.retention) this.events.shift()
    for (const wake of this.wakers) wake()
    this.wakers.clear()
  }

  /** New events from now on, or, with `lastEventId`, every retained event after it first. */
  async *subscribe(lastEventId: string | undefined, signal: AbortSignal): AsyncGenerator<TPayload, void> {
    let cursor = lastEventId === undefined ? this.lastId : Number(lastEventId)
    let wake = () => {}
    signal.addEventListener('abort', () => wake(), { once: true })
    while (!signal.aborted) {
      const next = this.events.find((logged) => logged.id > cursor)
      if (next) {
        cursor = next.id
        yield withEventMeta(next.payload, { id: String(next.id) })
        continue
      }
      await new Promise<void>((resolve) => {
        wake = resolve
        this.wakers.add(resolve)
      })
    }
  }
}
