import type { DurableIteratorError } from '../errors.js'
import type { DurableConnectionStatus } from './connection-status.js'
import { isolateListener } from './listener-errors.js'

/** What a connection looks like right now; a new object whenever something changed. */
export interface DurableConnectionSnapshot<TEvent> {
  status: DurableConnectionStatus
  /** The shared buffer, newest last. */
  events: readonly TEvent[]
  lastEvent: TEvent | undefined
  lastEventId: string | undefined
  /** Why the connection is in `error`, or why the last attempt failed while `reconnecting`. */
  error: DurableIteratorError | undefined
  /** Failed attempts since the stream was last open. */
  attempt: number
  /** When the current token expires, in local epoch milliseconds (skew-corrected). */
  tokenExpiresAt: number | undefined
  /**
   * How many times the server said that events after the resume point were no longer retained (after an outage
   * longer than its retention window): those events are lost, and the UI may want to reload.
   */
  gaps: number
}

export function isSameSnapshot<TEvent>(
  a: DurableConnectionSnapshot<TEvent>,
  b: DurableConnectionSnapshot<TEvent>,
): boolean {
  return (
    a.status === b.status &&
    a.events === b.events &&
    a.lastEventId === b.lastEventId &&
    a.error === b.error &&
    a.attempt === b.attempt &&
    a.gaps === b.gaps &&
    a.tokenExpiresAt === b.tokenExpiresAt
  )
}

function placeholder(status: 'idle' | 'connecting'): DurableConnectionSnapshot<never> {
  return {
    status,
    events: [],
    lastEvent: undefined,
    lastEventId: undefined,
    error: undefined,
    attempt: 0,
    tokenExpiresAt: undefined,
    gaps: 0,
  }
}

/** A stream that is disabled, or rendered on the server. */
export const IDLE_SNAPSHOT = placeholder('idle')

/** An enabled stream whose connection is not made yet (it is made in an effect, after the first render). */
export const CONNECTING_SNAPSHOT = placeholder('connecting')

/**
 * Holds a connection's snapshot for `useSyncExternalStore`: always current when read, and listeners told once per
 * batch of changes (many events in one task make one notification, not one each).
 */
export class SnapshotStore<TEvent> {
  private snapshot: DurableConnectionSnapshot<TEvent>
  /** The snapshot listeners were last told about. */
  private notified: DurableConnectionSnapshot<TEvent>
  private stale = false
  private scheduled = false
  private readonly listeners = new Set<() => void>()

  constructor(private readonly take: () => DurableConnectionSnapshot<TEvent>) {
    this.snapshot = take()
    this.notified = this.snapshot
  }

  subscribe = (listener: () => void): (() => void) => {
    const isolated = isolateListener(listener, () => 'A snapshot listener')
    this.listeners.add(isolated)
    return () => this.listeners.delete(isolated)
  }

  get = (): DurableConnectionSnapshot<TEvent> => {
    if (this.stale) {
      this.stale = false
      const next = this.take()
      if (!isSameSnapshot(this.snapshot, next)) this.snapshot = next
    }
    return this.snapshot
  }

  /** Something changed: readers see it at once, listeners hear of it after the current task. */
  changed(): void {
    this.stale = true
    if (this.scheduled) return
    this.scheduled = true
    queueMicrotask(() => {
      this.scheduled = false
      const snapshot = this.get()
      if (snapshot === this.notified) return
      this.notified = snapshot
      for (const listener of this.listeners) listener()
    })
  }

  clear(): void {
    this.listeners.clear()
  }
}
