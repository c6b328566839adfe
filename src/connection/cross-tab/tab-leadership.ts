/** How long a tab that took a stream over keeps the others from doing the same, while they hear of it. */
const TAKEOVER_GRACE_MS = 3000

/**
 * Which tab leads a stream, by the Web Locks API: the tab holding the stream's lock leads; the others wait in the
 * lock's queue, so when the leader closes or crashes the browser hands the lock to the next tab at once. A leader
 * that stops answering (frozen in the background) can be replaced with `steal()`; a second lock makes sure that
 * of the tabs that notice at once, one takes over and the others follow it.
 */
export class TabLeadership {
  readonly #name: string
  readonly #onLead: () => void
  readonly #onLose: () => void
  #leading = false
  #release: (() => void) | undefined
  #waiting: AbortController | undefined
  #stealing = false
  #endGrace: (() => void) | undefined

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

  /**
   * Takes the lock from a leader that stopped answering (that tab learns it lost when it runs again), unless another
   * tab is taking over or just did, or `stillSilent()` says this tab has heard from a leader by the time it may.
   */
  steal(stillSilent: () => boolean): void {
    if (this.#leading || this.#stealing) return
    this.#stealing = true
    navigator.locks
      .request(`${this.#name}:takeover`, { ifAvailable: true }, (takeover) => {
        if (!takeover || !stillSilent()) return
        this.#waiting?.abort()
        this.#waiting = undefined
        return new Promise<void>((endGrace) => {
          this.#endGrace = endGrace
          this.#request({ steal: true }, () => setTimeout(endGrace, TAKEOVER_GRACE_MS))
        })
      })
      .then(
        () => this.#stealDone(),
        () => this.#stealDone(),
      )
  }

  /** Gives the lock up (or leaves the queue). */
  stop(): void {
    this.#waiting?.abort()
    this.#waiting = undefined
    this.#release?.()
    this.#endGrace?.()
  }

  #stealDone(): void {
    this.#stealing = false
    this.#endGrace = undefined
  }

  #request(options: LockOptions, onGranted?: () => void): void {
    navigator.locks
      .request(this.#name, options, () => {
        this.#waiting = undefined
        this.#leading = true
        this.#onLead()
        onGranted?.()
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
