/**
 * The two browser APIs that tabs share a stream through, for the cross-tab race tests: a BroadcastChannel bus and a
 * Web Locks manager, in one process. Each tab can be paused as a frozen or hung page is: what is sent to it and what
 * it sends wait until it runs again, so a test decides exactly what a tab has heard when its timers fire.
 */

/** A tab of the fake browser: its channels and whether its messages are held. */
interface FakeTab {
  name: string
  paused: boolean
  /** Deliveries waiting for the tab to run again, in the order they were due. */
  held: Array<() => void>
}

export class FakeBrowser {
  readonly #tabs: FakeTab[] = []
  readonly #channels = new Set<FakeChannel>()
  #current: FakeTab | undefined
  readonly locks = new FakeLockManager()

  /** The constructor to install as the global `BroadcastChannel`. */
  readonly BroadcastChannel
  /** The global `navigator`, with only what the package reads. */
  readonly navigator = { locks: this.locks }

  constructor() {
    const browser = this
    this.BroadcastChannel = class extends FakeChannel {
      constructor(name: string) {
        super(name, browser.#tabOfNewChannel(), browser)
      }
    }
  }

  /** Runs `open` as a new tab: the channels it creates belong to that tab. */
  openTab<T>(name: string, open: () => T): T {
    const tab: FakeTab = { name, paused: false, held: [] }
    this.#tabs.push(tab)
    this.#current = tab
    try {
      return open()
    } finally {
      this.#current = undefined
    }
  }

  /** The tab stops running: nothing reaches it, and what it sends waits, until `resume`. */
  pause(name: string): void {
    this.#tab(name).paused = true
  }

  /** The tab runs again: first what waited, in order (what it sent meanwhile, what was sent to it). */
  resume(name: string): void {
    const tab = this.#tab(name)
    tab.paused = false
    for (const deliver of tab.held.splice(0)) deliver()
  }

  /** Delivers a message from `sender` to every other channel of the same name, as a task of its own. */
  broadcast(sender: FakeChannel, data: unknown): void {
    // Structured clone, as the real channel does: what cannot cross tabs fails here too.
    const cloned = structuredClone(data)
    const send = () => {
      for (const channel of this.#channels) {
        if (channel === sender || channel.name !== sender.name || channel.closed) continue
        const deliver = () => queueMicrotask(() => channel.receive(cloned))
        if (channel.tab.paused) channel.tab.held.push(deliver)
        else deliver()
      }
    }
    if (sender.tab.paused) sender.tab.held.push(send)
    else send()
  }

  add(channel: FakeChannel): void {
    this.#channels.add(channel)
  }

  #tabOfNewChannel(): FakeTab {
    if (!this.#current) throw new Error('A channel was made outside openTab(): whose tab is it?')
    return this.#current
  }

  #tab(name: string): FakeTab {
    const tab = this.#tabs.find((candidate) => candidate.name === name)
    if (!tab) throw new Error(`no tab named ${name}`)
    return tab
  }
}

class FakeChannel {
  onmessage: ((event: MessageEvent) => void) | null = null
  closed = false

  constructor(
    readonly name: string,
    readonly tab: FakeTab,
    private readonly browser: FakeBrowser,
  ) {
    browser.add(this)
  }

  postMessage(data: unknown): void {
    if (this.closed) throw new Error('BroadcastChannel is closed')
    this.browser.broadcast(this, data)
  }

  receive(data: unknown): void {
    if (!this.closed) this.onmessage?.(new MessageEvent('message', { data }))
  }

  close(): void {
    this.closed = true
  }
}

interface LockRequest {
  callback: (lock: Lock | null) => unknown
  settle: { resolve(value: unknown): void; reject(reason: unknown): void }
}

/**
 * Web Locks, exclusive: requests for a name queue in order; `steal` takes a held lock at once (its holder's request
 * rejects with an AbortError); `ifAvailable` gets no lock (null) rather than wait; a `signal` takes a queued request
 * out.
 */
export class FakeLockManager {
  readonly #held = new Map<string, LockRequest>()
  readonly #queues = new Map<string, LockRequest[]>()
  /** Every lock granted, in order: the name and whether it was stolen. */
  readonly grants: Array<{ name: string; stolen: boolean }> = []

  request(name: string, options: LockOptions, callback: (lock: Lock | null) => unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const request: LockRequest = { callback, settle: { resolve, reject } }
      if (options.signal?.aborted) return reject(abortError('The request was aborted.'))
      if (options.ifAvailable && (this.#held.has(name) || this.#queues.get(name)?.length)) {
        queueMicrotask(() => Promise.resolve(callback(null)).then(resolve, reject))
        return
      }
      if (options.steal) {
        const holder = this.#held.get(name)
        this.#held.delete(name)
        holder?.settle.reject(abortError('The lock was stolen.'))
        this.#grant(name, request, true)
        return
      }
      const queue = this.#queues.get(name) ?? []
      this.#queues.set(name, queue)
      queue.push(request)
      options.signal?.addEventListener('abort', () => {
        const index = queue.indexOf(request)
        if (index === -1) return
        queue.splice(index, 1)
        reject(abortError('The request was aborted.'))
      })
      this.#next(name)
    })
  }

  #next(name: string): void {
    if (this.#held.has(name)) return
    const request = this.#queues.get(name)?.shift()
    if (request) this.#grant(name, request, false)
  }

  #grant(name: string, request: LockRequest, stolen: boolean): void {
    this.#held.set(name, request)
    this.grants.push({ name, stolen })
    queueMicrotask(() => {
      Promise.resolve(request.callback({ name, mode: 'exclusive' } as Lock)).then(
        (value) => this.#release(name, request, () => request.settle.resolve(value)),
        (error) => this.#release(name, request, () => request.settle.reject(error)),
      )
    })
  }

  #release(name: string, request: LockRequest, settle: () => void): void {
    // A stolen lock's callback may end later: that releases nothing.
    if (this.#held.get(name) !== request) return
    this.#held.delete(name)
    settle()
    this.#next(name)
  }
}

function abortError(message: string): DOMException {
  return new DOMException(message, 'AbortError')
}
