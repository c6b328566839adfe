import { type DurableConnectionSettings, resolveSettings } from './connection-settings.js'
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
 * Shares one connection among every user of the same stream (same token query hash), counting users. The last
 * release closes the connection after `lingerMs`, so a remount (StrictMode, a route change) reuses the socket
 * instead of reconnecting. Readers can look a stream up by key during render (`peek`) and be told when the
 * connection for a key appears, changes or goes (`subscribe`), before any effect of theirs has run.
 */
export class ConnectionRegistry {
  readonly #entries = new Map<string, Entry>()
  readonly #watchers = new Map<string, Set<() => void>>()
  #settings: DurableConnectionSettings | undefined

  #lingerMs: number

  constructor(lingerMs: number) {
    this.#lingerMs = lingerMs
  }

  /** The connection for `key`, if one is open or lingering. Safe during render. */
  peek<TEvent>(key: string): DurableConnection<TEvent> | undefined {
    return this.#entries.get(key)?.connection as DurableConnection<TEvent> | undefined
  }

  /** Whether someone holds the stream (a lingering one has no users). */
  isHeld(key: string): boolean {
    return (this.#entries.get(key)?.users ?? 0) > 0
  }

  /** Calls `listener` when the connection for `key` is created or removed, or its snapshot changes. */
  subscribe(key: string, listener: () => void): () => void {
    let watchers = this.#watchers.get(key)
    if (!watchers) {
      watchers = new Set()
      this.#watchers.set(key, watchers)
    }
    watchers.add(listener)
    return () => {
      watchers.delete(listener)
      if (watchers.size === 0 && this.#watchers.get(key) === watchers) this.#watchers.delete(key)
    }
  }

  acquire<TEvent>(key: string, create: () => DurableConnection<TEvent>): ConnectionLease<TEvent> {
    let entry = this.#entries.get(key)
    let created = false
    if (!entry) {
      const connection = create() as DurableConnection<unknown>
      entry = { connection, users: 0, lingerTimer: undefined }
      this.#entries.set(key, entry)
      connection.subscribe(() => this.#notify(key))
      created = true
    }
    clearTimeout(entry.lingerTimer)
    entry.lingerTimer = undefined
    if (entry.users === 0) {
      if (created) entry.connection.start()
      else entry.connection.reviveForNewUser()
    }
    entry.users++
    if (created) this.#notify(key)
    const held = entry
    let released = false
    return {
      connection: held.connection as DurableConnection<TEvent>,
      release: () => {
        if (released) return
        released = true
        held.users--
        if (held.users > 0) return
        held.lingerTimer = setTimeout(() => this.#remove(key, held), this.#lingerMs)
      },
    }
  }

  /** New provider settings: they reach every live connection (each decides in place or a new socket). */
  configure(settings: DurableConnectionSettings, lingerMs: number): void {
    this.#lingerMs = lingerMs
    if (this.#settings === settings) return
    this.#settings = settings
    const resolved = resolveSettings(settings)
    for (const entry of this.#entries.values()) entry.connection.configure(resolved)
  }

  /** Connections alive right now (including lingering ones). */
  get size(): number {
    return this.#entries.size
  }

  /** Closes every connection now. */
  disposeAll(): void {
    for (const [key, entry] of this.#entries) this.#remove(key, entry)
  }

  #remove(key: string, entry: Entry): void {
    clearTimeout(entry.lingerTimer)
    if (this.#entries.get(key) !== entry) return
    this.#entries.delete(key)
    entry.connection.dispose()
    this.#notify(key)
  }

  #notify(key: string): void {
    const watchers = this.#watchers.get(key)
    if (!watchers) return
    for (const listener of [...watchers]) listener()
  }
}
