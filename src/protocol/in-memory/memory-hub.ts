import type { AnyRouter } from '@orpc/server'
import type { DurableIteratorClaims } from '../claims.js'
import type { PublishOptions } from '../delivery-filter.js'
import { copyHubStats, createHubStats, type DurableIteratorHubStats } from '../hub-stats.js'
import { checkPayload } from '../payload.js'
import type { SubscribeRequest } from '../resume.js'
import type { TokenVerification } from '../token-verification.js'
import { judgeUpgrade, type UpgradeVerdict } from '../upgrade-gate.js'
import { ChannelRegistry } from './channel-registry.js'
import { LiveSocket, type LiveSocketHub } from './live-socket.js'
import type { SocketTransport } from './socket-transport.js'

export interface MemoryHubOptions {
  verifyToken(token: string): Promise<TokenVerification>
  retentionMs: number
  maxEvents: number
  maxSockets: number
  methods: AnyRouter | undefined
  /** Frames over this close the socket with 1009; leave it out where the transport enforces it. */
  maxFrameBytes?: number
}

/**
 * A hub that keeps its channels and sockets in memory: the Node hub and the testing mock, which differ only in how
 * upgrades arrive and how a socket is sent to (their `SocketTransport`).
 */
export class MemoryHub {
  readonly #options: MemoryHubOptions
  readonly #stats = createHubStats()
  readonly #sockets = new Set<LiveSocket>()
  readonly #channels: ChannelRegistry<LiveSocket>
  readonly #socketHub: LiveSocketHub
  /** Upgrades being judged right now: they count toward `maxSockets` until they are accepted or refused. */
  #judging = 0

  constructor(options: MemoryHubOptions) {
    this.#options = options
    this.#channels = new ChannelRegistry({ retentionMs: options.retentionMs, maxEvents: options.maxEvents })
    const stats = this.#stats
    this.#socketHub = {
      methods: options.methods,
      verifyToken: options.verifyToken,
      publish: (channel, payload, publishOptions) => this.publish(channel, payload, publishOptions),
      subscribed: (socket, subscriptionId, request) => this.#subscribed(socket, subscriptionId, request),
      unsubscribed: (socket) => this.#unsubscribed(socket),
      counters: {
        tokenUpdate: (accepted) => {
          if (accepted) stats.tokenUpdates++
          else stats.tokenUpdatesRefused++
        },
        frameRejected: () => stats.framesRejected++,
        expiredClose: () => stats.expiredCloses++,
      },
    }
  }

  /**
   * Whether an upgrade to `url` may become a socket; a refusal is counted. While its token is checked, an upgrade
   * holds one of the `maxSockets` places, so that a burst of upgrades cannot all pass the count at once.
   */
  async judge(url: URL): Promise<UpgradeVerdict> {
    const sockets = { open: this.#stats.openSockets + this.#judging, max: this.#options.maxSockets }
    this.#judging++
    try {
      const verdict = await judgeUpgrade(url, { verifyToken: this.#options.verifyToken, sockets })
      if (!verdict.ok) this.countRefusal(verdict.refusal)
      return verdict
    } finally {
      this.#judging--
    }
  }

  countRefusal(refusal: keyof DurableIteratorHubStats['upgradesRejected']): void {
    this.#stats.upgradesRejected[refusal] = (this.#stats.upgradesRejected[refusal] ?? 0) + 1
  }

  /** Takes an accepted socket; call `closed()` on the returned socket when its transport closes. */
  accept(transport: SocketTransport, clientId: string, claims: DurableIteratorClaims): LiveSocket {
    const socket = new LiveSocket(this.#socketHub, transport, clientId, claims, {
      maxFrameBytes: this.#options.maxFrameBytes,
    })
    this.#sockets.add(socket)
    this.#stats.upgradesAccepted++
    this.#stats.openSockets++
    return socket
  }

  /** Forgets a socket whose transport closed. */
  closed(socket: LiveSocket): void {
    if (!this.#sockets.delete(socket)) return
    socket.closed()
    this.#stats.openSockets--
  }

  publish(channelName: string, payload: object, options: PublishOptions = {}): void {
    checkPayload(payload, channelName)
    const entry = this.#channels.use(channelName)
    this.#stats.eventsPublished++
    this.#stats.eventsDelivered += entry.channel.publish(payload, options, entry.subscribers, Date.now())
    this.#channels.release(channelName)
  }

  subscriberCount(channel: string): number {
    return this.#channels.find(channel)?.subscribers.size ?? 0
  }

  /** The open sockets, or those of one channel. */
  *sockets(channel?: string): Iterable<LiveSocket> {
    for (const socket of this.#sockets) {
      if (channel === undefined || socket.channel === channel) yield socket
    }
  }

  /** Cuts sockets without a close handshake; returns how many. */
  dropConnections(channel?: string): number {
    let dropped = 0
    for (const socket of [...this.sockets(channel)]) {
      socket.cut()
      dropped++
    }
    return dropped
  }

  /** Closes every socket with a close frame and forgets every channel. */
  closeAll(code: number, reason: string): void {
    for (const socket of [...this.#sockets]) socket.close(code, reason)
    this.#channels.clear()
  }

  countTokenIssued(): void {
    this.#stats.tokensIssued++
  }

  stats(): DurableIteratorHubStats {
    return copyHubStats(this.#stats)
  }

  #subscribed(socket: LiveSocket, subscriptionId: string, request: SubscribeRequest): void {
    const entry = this.#channels.use(socket.channel)
    // Registered and replayed in one synchronous step: no live event falls between the replay and the first one.
    entry.subscribers.add(socket)
    const { gap, replayed } = entry.channel.subscribe(socket, subscriptionId, request, Date.now())
    if (gap) this.#stats.resumeGaps++
    this.#stats.eventsReplayed += replayed
    this.#stats.eventsDelivered += replayed
  }

  #unsubscribed(socket: LiveSocket): void {
    this.#channels.find(socket.channel)?.subscribers.delete(socket)
    this.#channels.release(socket.channel)
  }
}
