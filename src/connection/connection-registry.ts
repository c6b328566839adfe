import type { DurableConnection } from './durable-connection.js'

/** A user's hold on a shared connection; `release()` once, when the user goes away. */
export interface ConnectionLease<TEvent> {
  connection: DurableConnection<TEvent>
  release(): void
}

interface Entry {
  // The registry holds connections of many event types; each lease hands back the type it was asked for.
  connection: DurableConnection<unknown>
  users: number
  lingerTimer: ReturnType<typeof setTimeout> | undefined
}

/**
 * Shares one connection among every user of the same stream (same token query hash), counting users.
 * The last release closes the connection after `lingerMs`, so a remount (StrictMode, a route change)
 * reuses the socket instead of reconnecting.
 */
export class ConnectionRegistry {
  private readonly entries = new Map<string, Entry>()

  constructor(private readonly lingerMs: number) {}

  acquire<TEvent>(key: string, create: () => DurableConnection<TEvent>): ConnectionLease<TEvent> {
    let entry = this.entries.get(key)
    if (!entry) {
      const connection = create()
      entry = { connection: connection as DurableConnection<unknown>, users: 0, lingerTimer: undefined }
      this.entries.set(key, entry)
      connection.start()
    }
    clearTimeout(entry.lingerTimer)
    entry.lingerTimer = undefined
    entry.users++
    const held = entry
    let released = false
    return {
      connection: held.connection as unknown as DurableConnection<TEvent>,
      release: () => {
        if (released) return
        released = true
        held.users--
        if (held.users > 0) return
        held.lingerTimer = setTimeout(() => this.remove(key, held), this.lingerMs)
      },
    }
  }

  /** Connections alive right now (including lingering ones). */
  get size(): number {
    return this.entries.size
  }

  /** Closes every connection now (the provider unmounted). */
  disposeAll(): void {
    for (const [key, entry] of this.entries) this.remove(key, entry)
  }

  private remove(key: string, entry: Entry): void {
    clearTimeout(entry.lingerTimer)
    if (this.entries.get(key) === entry) this.entries.delete(key)
    entry.connection.dispose()
  }
}
