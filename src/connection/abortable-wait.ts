import { onlineManager } from '@tanstack/query-core'

/**
 * The waits of a connection attempt (backoff, offline), which `skip()` cuts short: partysocket cannot
 * shorten its own waits, so the connection waits here, inside the URL provider, instead.
 */
export class AbortableWaits {
  #controller = new AbortController()

  /** Resolves after `ms`, or at once when `skip()` is called. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve()
    const { signal } = this.#controller
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      signal.addEventListener('abort', done, { once: true })
      function done() {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        resolve()
      }
    })
  }

  /** Resolves when TanStack Query's `onlineManager` says the app is online, or when `skip()` is called. */
  untilOnline(): Promise<void> {
    if (onlineManager.isOnline()) return Promise.resolve()
    const { signal } = this.#controller
    return new Promise((resolve) => {
      const unsubscribe = onlineManager.subscribe((online) => {
        if (online) done()
      })
      signal.addEventListener('abort', done, { once: true })
      function done() {
        unsubscribe()
        signal.removeEventListener('abort', done)
        resolve()
      }
    })
  }

  /** Ends every pending wait now. */
  skip(): void {
    this.#controller.abort()
    this.#controller = new AbortController()
  }
}
