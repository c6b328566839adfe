/** Thrown into a subscription whose consumer fell too far behind; the socket is then closed. */
export class SubscriberOverflowError extends Error {
  constructor(limit: number) {
    super(`subscriber fell ${limit} events behind`)
    this.name = 'SubscriberOverflowError'
  }
}

/**
 * An unbounded-in-time, bounded-in-size queue between `publish` (synchronous) and one subscription's
 * async generator. `next()` resolves with the next item, or `undefined` once the signal aborts.
 */
export class EventQueue<T> {
  private items: T[] = []
  private head = 0
  private waiter: ((item: T | undefined) => void) | undefined
  private overflowed = false

  constructor(
    private readonly limit: number,
    private readonly signal: AbortSignal,
  ) {
    // One listener for the queue's lifetime, not one per wait.
    signal.addEventListener('abort', () => this.wake(undefined), { once: true })
  }

  push(item: T): void {
    if (this.waiter) {
      this.wake(item)
      return
    }
    if (this.items.length - this.head >= this.limit) {
      this.overflowed = true
      return
    }
    this.items.push(item)
  }

  async next(): Promise<T | undefined> {
    if (this.overflowed) throw new SubscriberOverflowError(this.limit)
    if (this.head < this.items.length) {
      const item = this.items[this.head++] as T
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head)
        this.head = 0
      }
      return item
    }
    if (this.signal.aborted) return undefined
    return new Promise((resolve) => {
      this.waiter = resolve
    })
  }

  private wake(item: T | undefined): void {
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.(item)
  }
}
