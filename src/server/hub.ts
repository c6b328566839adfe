import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { AnyRouter } from '@orpc/server'
import type { RawData } from 'ws'
import type { AnyChannels, ChannelEventMap, PublishToChannel } from '../protocol/channel-map.js'
import { CloseCode } from '../protocol/constants.js'
import { resolveHostOptions } from '../protocol/host-options.js'
import type { DurableIteratorHubStats } from '../protocol/hub-stats.js'
import { MemoryHub } from '../protocol/in-memory/memory-hub.js'
import { toKeyBytes } from '../protocol/signing-key.js'
import { type IssueToken, tokenIssuer } from '../protocol/token-issuer.js'
import { checkTokenFormat } from '../protocol/token-signing.js'
import { verifyTokenWithKey } from '../protocol/token-verification.js'
import { checkRefuseUpgradesWith } from '../protocol/upgrade-refusal.js'
import type { DurableIteratorHubOptions } from './hub-options.js'
import { UpgradeGate } from './upgrade-gate.js'
import { WsTransport } from './ws-transport.js'

export type { DurableIteratorHubOptions, IssueTokenOptions } from './hub-options.js'

/**
 * The hub on Node. `TMethods` are its remote methods (an oRPC router); `TChannels` maps channel names or patterns to
 * the type of their events (`{ [channel: \`chat:${string}\`]: ChatMessage }`), typing `publish` and `issueToken`.
 */
export interface DurableIteratorHub<
  TMethods extends AnyRouter = Record<never, never>,
  TChannels extends ChannelEventMap<TChannels> = AnyChannels,
> {
  /** Handles an HTTP upgrade request (wire it to `server.on('upgrade')` for the hub's path). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Publishes an event to a channel's subscribers and keeps it for resume. Payloads must be objects. */
  publish: PublishToChannel<TChannels, void>
  /** Signs a token for `channel` with the hub's key and counts it in `tokensIssued`. */
  issueToken: IssueToken<TMethods, TChannels>
  /**
   * Cuts sockets without a close handshake, as a network failure would (clients see 1006). For fault
   * drills in demos and tests. Returns how many were cut.
   */
  dropConnections(channel?: string): number
  /** Subscribed sockets on a channel right now. */
  subscriberCount(channel: string): number
  stats(): DurableIteratorHubStats
  /** Closes every socket (1001) and stops accepting upgrades. */
  close(): Promise<void>
}

/**
 * Creates the durable-iterator hub on Node: token-checked `ws` sockets, channels with resumable event logs in memory,
 * remote methods. The protocol is the package's one core (src/protocol); this file wires it to `ws`. Give the channel
 * map as the second type argument (`createDurableIteratorHub<typeof methods, AppChannels>(…)`) for typed channels.
 */
export function createDurableIteratorHub<
  TMethods extends AnyRouter = Record<never, never>,
  TChannels extends ChannelEventMap<TChannels> = AnyChannels,
>(options: DurableIteratorHubOptions<TMethods>): DurableIteratorHub<TMethods, TChannels> {
  // Fail at startup on a key too short to use, rather than refusing every token as malformed.
  const key = toKeyBytes(options.signingKey)
  const refuseWith = checkRefuseUpgradesWith(options.refuseUpgradesWith)
  // A typo fails here, at startup, rather than at the first token.
  checkTokenFormat(options.tokenFormat ?? 'jwt')
  const maxQueuedFrames = options.maxQueuedEventsPerSubscriber ?? 10_000
  const { retentionMs, maxEvents, maxFrameBytes } = resolveHostOptions(options)
  const hub = new MemoryHub({
    verifyToken: (token) => verifyTokenWithKey(token, key, Date.now()),
    retentionMs,
    maxEvents,
    maxSockets: options.maxSockets ?? 10_000,
    methods: options.methods,
  })
  const gate = new UpgradeGate({
    // ws refuses larger frames itself (1009), before they reach the hub.
    maxPayloadBytes: maxFrameBytes,
    refuseWith,
    judge: (url) => hub.judge(url),
    onSocket(ws, { clientId, claims }) {
      const socket = hub.accept(new WsTransport(ws, maxQueuedFrames), clientId, claims)
      ws.on('message', (data: RawData, isBinary: boolean) => {
        socket.receive(isBinary ? toBytes(data) : data.toString())
      })
      ws.on('close', () => hub.closed(socket))
    },
  })

  return {
    handleUpgrade: (request, socket, head) => gate.handleUpgrade(request, socket, head),
    publish: (channel, payload, publishOptions) => hub.publish(channel, payload, publishOptions),
    issueToken: tokenIssuer(options, () => hub.countTokenIssued()),
    dropConnections: (channel) => hub.dropConnections(channel),
    subscriberCount: (channel) => hub.subscriberCount(channel),
    stats: () => hub.stats(),
    async close() {
      const stopped = gate.close()
      hub.closeAll(CloseCode.goingAway, 'server shutting down')
      await stopped
    },
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data)
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data
}
