import { getEventMeta } from '@orpc/client'
import { isolateListener, type ListenerErrorHandler } from './listener-errors.js'

/**
 * The stream's `onEvent` and `onGap` listeners, each isolated: nothing a callback throws reaches the loop that
 * reads the socket or the other listeners. They outlive sessions (a new session keeps its listeners).
 */
export class EventListeners<TEvent> {
  readonly #events = new Set<(event: TEvent) => void>()
  readonly #gaps = new Set<() => void>()

  onEvent(listener: (event: TEvent) => void, onError?: ListenerErrorHandler): () => void {
    const isolated = isolateListener(
      listener,
      (event) => `onEvent, for the event with id ${getEventMeta(event)?.id ?? '(none)'},`,
      onError,
    )
    this.#events.add(isolated)
    return () => this.#events.delete(isolated)
  }

  onGap(listener: () => void, onError?: ListenerErrorHandler): () => void {
    const isolated = isolateListener(listener, () => 'onGap', onError)
    this.#gaps.add(isolated)
    return () => this.#gaps.delete(isolated)
  }

  emitEvent(event: TEvent): void {
    for (const listener of this.#events) listener(event)
  }

  emitGap(): void {
    for (const listener of this.#gaps) listener()
  }

  clear(): void {
    this.#events.clear()
    this.#gaps.clear()
  }
}
