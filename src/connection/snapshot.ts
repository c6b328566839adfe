import type { DurableIteratorError } from '../errors.js'
import type { DurableConnectionStatus } from './connection-status.js'
import { onNextFrame } from './frame-scheduler.js'
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
 * Holds a connection's snapshot for `useSyncExternalStore`: always current when read; listeners are told of a
 * status change after the current task, and of new events once per animation frame, so a burst of any size
 * commits a consuming component at most once per frame.
 */
export class SnapshotStore<TEvent> {
  #snapshot: DurableConnectionSnapshot<TEvent>
  /** The snapshot listeners were last told about. */
  #notified: DurableConnectionSnapshot<TEvent>
  #stale = false
  #taskScheduled = false
  #cancelFrame: (() => void) | undefined
  readonly #listeners = new Set<() => void>()

  readonly #take: () => DurableConnectionSnapshot<TEvent>

  constructor(take: () => DurableConnectionSnapshot<TEvent>) {
    this.#take = take
    this.#snapshot = take()
    this.#notified = this.#snapshot
  }

  subscribe = (listener: () => void): (() => void) => {
    const isolated = isolateListener(listener, () => 'A snapshot listener')
    this.#listeners.add(isolated)
    return () => this.#listeners.delete(isolated)
  }

  get = (): DurableConnectionSnapshot<TEvent> => {
    if (this.#stale) {
      this.#stale = false
      const next = this.#take()
      if (!isSameSnapshot(this.#snapshot, next)) this.#snapshot = next
    }
    return this.#snapshot
  }

  /** The status, error or token changed: listeners hear of it after the current task. */
  changed(): void {
    this.#stale = true
    if (this.#taskScheduled) return
    this.#taskScheduled = true
    queueMicrotask(() => {
      this.#taskScheduled = false
      this.#notify()
    })
  }

  /** Events arrived: listeners hear of them at the next frame, together with whatever else arrives until then. */
  eventsChanged(): void {
    this.#stale = true
    this.#cancelFrame ??= onNextFrame(() => {
      this.#cancelFrame = undefined
      this.#notify()
    })
  }

  clear(): void {
    this.#listeners.clear()
    this.#cancelFrame?.()
    this.#cancelFrame = undefined
  }

  #notify(): void {
    const snapshot = this.get()
    if (snapshot === this.#notified) return
    this.#notified = snapshot
    for (const listener of this.#listeners) listener()
  }
}
