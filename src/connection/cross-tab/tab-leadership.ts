/**
 * Which tab leads a stream, by the Web Locks API: the tab holding the stream's lock leads; the others wait in the
 * lock's queue, so when the leader closes or crashes the browser hands the lock to the next tab at once. A leader
 * that stops answering (frozen in the background) can be replaced with `steal()`.
 */
export class TabLeadership {
  readonly #name: string
  readonly #onLead: () => void
  readonly #onLose: () => void
  #leading = false
  #release: (() => void) | undefined
  #waiting: AbortController | undefined

  constructor(name: string, handlers: { onLead(): void; onLose(): void }) {
    this.#name = name
    this.#onLead = handlers.onLead
    this.#onLose = handlers.onLose
  }

  get leading(): boolean {
    return this.#leading
  }

  /** Queues for the lock (does nothing while leading or queued). */
  start(): void {
    if (this.#leading || this.#waiting) return
    const waiting = new AbortController()
    this.#waiting = waiting
    this.#request({ signal: waiting.signal })
  }

  /** Takes the lock from a leader that stopped answering; that tab learns it lost when it runs again. */
  steal(): void {
    if (this.#leading) return
    this.#waiting?.abort()
    this.#waiting = undefined
    this.#request({ steal: true })
  }

  /** Gives the lock up (or leaves the queue). */
  stop(): void {
    this.#waiting?.abort()
    this.#waiting = undefined
    this.#release?.()
  }

  #request(options: LockOptions): void {
    navigator.locks
      .request(this.#name, options, () => {
        this.#waiting = undefined
        this.#leading = true
        this.#onLead()
        return new Promise<void>((resolve) => {
          this.#release = resolve
        })
      })
      .then(
        () => this.#lost(),
        // Aborted while queued, or stolen while leading.
        () => this.#lost(),
      )
  }

  #lost(): void {
    this.#release = undefined
    if (!this.#leading) return
    this.#leading = false
    this.#onLose()
  }
}
