import { Channel, type ChannelSocket } from '../channel.js'
import { EventLog } from '../event-log.js'
import { MemoryEventStorage, MemoryFirstSubscribed } from './memory-storage.js'

export interface ChannelRegistryOptions {
  /** How long events (and first subscriptions) are kept for resume. */
  retentionMs: number
  /** Events kept per channel at most. */
  maxEvents: number
}

/** A channel an in-memory hub serves, with the sockets subscribed to it. */
export interface RegisteredChannel<TSocket extends ChannelSocket> {
  channel: Channel
  subscribers: Set<TSocket>
  idleTimer?: ReturnType<typeof setTimeout>
}

/**
 * The channels of an in-memory hub, made on first use. A channel nobody listens to is forgotten once its retained
 * events would have expired anyway.
 */
export class ChannelRegistry<TSocket extends ChannelSocket> {
  readonly #channels = new Map<string, RegisteredChannel<TSocket>>()

  constructor(private readonly options: ChannelRegistryOptions) {}

  /** The channel, made if new; it stays until it has been idle for the retention time. */
  use(name: string): RegisteredChannel<TSocket> {
    let entry = this.#channels.get(name)
    if (!entry) {
      const { retentionMs, maxEvents } = this.options
      const firstSubscribed = new MemoryFirstSubscribed(maxEvents)
      const log = new EventLog(new MemoryEventStorage(), { retentionMs, maxEvents })
      entry = { channel: new Channel({ log, firstSubscribed, retentionMs }), subscribers: new Set() }
      this.#channels.set(name, entry)
    }
    if (entry.idleTimer) {
      clearTimeout(entry.idleTimer)
      entry.idleTimer = undefined
    }
    return entry
  }

  /** The channel if it exists, without keeping it alive. */
  find(name: string): RegisteredChannel<TSocket> | undefined {
    return this.#channels.get(name)
  }

  /** Starts forgetting the channel if nobody is subscribed to it. */
  release(name: string): void {
    const entry = this.#channels.get(name)
    if (!entry || entry.subscribers.size > 0 || entry.idleTimer) return
    entry.idleTimer = setTimeout(() => {
      if (entry.subscribers.size === 0) this.#channels.delete(name)
    }, this.options.retentionMs)
    entry.idleTimer.unref?.()
  }

  clear(): void {
    for (const entry of this.#channels.values()) clearTimeout(entry.idleTimer)
    this.#channels.clear()
  }
}
