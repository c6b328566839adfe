import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { type AnyRouter, type RouterClient, withEventMeta } from '@orpc/server'
import { type WebSocket, WebSocketServer } from 'ws'
import type { DurableIteratorToken } from '../protocol/claims.js'
import { CLIENT_ID_PARAM, CloseCode, GAP_MARKER_COMMENT, TOKEN_PARAM } from '../protocol/constants.js'
import {
  isDeliverable,
  type PublishOptions,
  resolveDeliveryFilter,
  type SubscriberInfo,
} from '../protocol/delivery-filter.js'
import type { DurableIteratorMethodContext } from '../protocol/method-context.js'
import { checkRefuseUpgradesWith, type RefuseUpgradesWith, refusalHttpStatus } from '../protocol/upgrade-refusal.js'
import { ChannelLog, type LoggedEvent } from './channel-log.js'
import { EventQueue } from './event-queue.js'
import { writeHttpRefusal } from './http-refusal.js'
import type { HubRouterContext } from './hub-router.js'
import { copyHubStats, createHubStats, type DurableIteratorHubStats, type UpgradeRefusal } from './hub-stats.js'
import { type SigningKey, toSecretKey } from './signing-key.js'
import { serveSocketRpc } from './socket-rpc.js'
import { SocketSession } from './socket-session.js'
import {
  checkTokenFormat,
  type DurableIteratorGrant,
  inspectDurableIteratorToken,
  signDurableIteratorToken,
  type TokenFormat,
} from './token.js'

export interface DurableIteratorHubOptions<TMethods extends AnyRouter> {
  /** HS256 secret, at least 32 bytes. Tokens are verified with it; `issueToken` signs with it. */
  signingKey: SigningKey
  /**
   * How long published events are kept for clients that resume with a last event id.
   * @default 300
   */
  resumeRetentionSeconds?: number
  /**
   * At most this many events per channel are kept for resume.
   * @default 1000
   */
  resumeMaxEvents?: number
  /**
   * Frames larger than this close the socket with 1009.
   * @default 65536
   */
  maxPayloadBytes?: number
  /**
   * A subscriber that falls this many events behind is closed (1013) and resumes from its last id,
   * instead of the hub buffering without bound.
   * @default 10000
   */
  maxQueuedEventsPerSubscriber?: number
  /**
   * Remote methods, an oRPC router whose procedures run with `DurableIteratorMethodContext`. A token may
   * call `methods[name]` only if `name` is in its `rpc` claim.
   */
  methods?: TMethods
  /**
   * Open sockets this hub accepts at most; further upgrades are closed with 1013 ("try again later").
   * @default 10000
   */
  maxSockets?: number
  /** Default lifetime of tokens made by `issueToken`. @default 3600 */
  tokenTtlSeconds?: number
  /**
   * Format of tokens made by `issueToken`: `'orpc'` for oRPC's signed value, which oRPC's own client needs. The hub
   * accepts both formats whatever this says.
   * @default 'jwt'
   */
  tokenFormat?: TokenFormat
  /**
   * How upgrades without a client id, without a valid token, or over `maxSockets` are refused: accepted and closed
   * with 4000/4001/1013 (`'close-code'`), or answered with HTTP 400/401/503 before upgrading (`'http-status'`, as
   * oRPC's server does, for proxies that cannot accept-then-close). Browsers see only the first kind's reason.
   * @default 'close-code'
   */
  refuseUpgradesWith?: RefuseUpgradesWith
}

export interface IssueTokenOptions extends Omit<DurableIteratorGrant, 'chn'> {
  ttlSeconds?: number
}

export interface DurableIteratorHub<TMethods extends AnyRouter = Record<never, never>> {
  /** Handles an HTTP upgrade request (wire it to `server.on('upgrade')` for the hub's path). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Publishes an event to a channel's subscribers and keeps it for resume. Payloads must be objects. */
  publish(channel: string, payload: object, options?: PublishOptions): void
  /**
   * Signs a token for `channel` with the hub's key and counts it in `tokensIssued`. `TEvent` and
   * `TTokenMethods` (default: all of the hub's methods) type the client's stream and `rpc`.
   */
  issueToken<TEvent = unknown, TTokenMethods extends AnyRouter = TMethods>(
    channel: string,
    options?: IssueTokenOptions,
  ): Promise<DurableIteratorToken<TEvent, RouterClient<TTokenMethods>>>
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

const SERVER_GOING_AWAY = 1001

/** An event id as a sequence number; ids this hub never issued sort before all of its own. */
function parseSeq(eventId: string): number {
  return /^\d{1,16}$/.test(eventId) ? Number(eventId) : -1
}

interface Channel {
  log: ChannelLog
  subscribers: Set<SocketSession>
  /**
   * Where each client id first subscribed: a client that lost its socket before its first event resumes
   * from there, so the events published meanwhile are not lost for want of a last event id.
   */
  firstSubscribed: Map<string, { seq: number; atMs: number }>
  idleTimer?: ReturnType<typeof setTimeout>
}

/** Creates the durable-iterator hub: token-checked sockets, channels with resumable event logs, remote methods. */
export function createDurableIteratorHub<TMethods extends AnyRouter = Record<never, never>>(
  options: DurableIteratorHubOptions<TMethods>,
): DurableIteratorHub<TMethods> {
  // Fail at startup on a key too short to use, rather than refusing every token as malformed.
  toSecretKey(options.signingKey)
  const retentionMs = (options.resumeRetentionSeconds ?? 300) * 1000
  const maxEvents = options.resumeMaxEvents ?? 1000
  const maxQueued = options.maxQueuedEventsPerSubscriber ?? 10_000
  const maxSockets = options.maxSockets ?? 10_000
  const refuseWith = checkRefuseUpgradesWith(options.refuseUpgradesWith)
  // A typo fails here, at startup, rather than at the first token.
  checkTokenFormat(options.tokenFormat ?? 'jwt')
  const stats = createHubStats()
  const channels = new Map<string, Channel>()
  const sessions = new Set<SocketSession>()
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 65_536 })
  let closed = false

  function channelOf(name: string): Channel {
    let channel = channels.get(name)
    if (!channel) {
      channel = {
        log: new ChannelLog({ retentionMs, maxEvents, firstSeq: Date.now() * 1000 }),
        subscribers: new Set(),
        firstSubscribed: new Map(),
      }
      channels.set(name, channel)
    }
    if (channel.idleTimer) {
      clearTimeout(channel.idleTimer)
      channel.idleTimer = undefined
    }
    return channel
  }

  // A channel nobody listens to is forgotten once its retained events would have expired anyway.
  function releaseIfIdle(name: string, channel: Channel): void {
    if (channel.subscribers.size > 0 || channel.idleTimer) return
    channel.idleTimer = setTimeout(() => {
      if (channel.subscribers.size === 0) channels.delete(name)
    }, retentionMs)
    channel.idleTimer.unref?.()
  }

  function refuse(
    upgrade: { request: IncomingMessage; socket: Duplex; head: Buffer },
    reason: UpgradeRefusal,
    code: number,
    message: string,
  ): void {
    stats.upgradesRejected[reason] = (stats.upgradesRejected[reason] ?? 0) + 1
    if (refuseWith === 'http-status') writeHttpRefusal(upgrade.socket, refusalHttpStatus(code), message)
    else accept(upgrade.request, upgrade.socket, upgrade.head, (ws) => ws.close(code, message))
  }

  function publish(channelName: string, payload: object, publishOptions: PublishOptions = {}): void {
    if (typeof payload !== 'object' || payload === null) {
      throw new TypeError(
        `react-durable-iterator: publish(${JSON.stringify(channelName)}, …) needs an object or array payload, ` +
          `got ${payload === null ? 'null' : typeof payload}. Wrap values, e.g. { value }.`,
      )
    }
    const channel = channelOf(channelName)
    const filter = resolveDeliveryFilter(publishOptions, subscribersOf(channel))
    const event = channel.log.append(payload, filter, Date.now())
    stats.eventsPublished++
    for (const session of channel.subscribers) {
      // A socket cut or closing still has its subscription until its close event: skip it.
      if (session.socket.readyState !== session.socket.OPEN) continue
      if (isDeliverable(filter, session)) {
        for (const queue of session.subscriptions) queue.push(event)
      }
    }
    releaseIfIdle(channelName, channel)
  }

  function* subscribersOf(channel: Channel): Iterable<SubscriberInfo> {
    yield* channel.subscribers
  }

  async function* subscribe(
    session: SocketSession,
    { lastEventId, reportGaps }: { lastEventId: string | undefined; reportGaps: boolean },
    signal: AbortSignal,
  ): AsyncGenerator<object, void> {
    const channel = channelOf(session.channel)
    const queue = new EventQueue<LoggedEvent>(maxQueued, signal)
    // Register for live events and take the replay in one synchronous step, so no event falls between.
    session.subscriptions.add(queue)
    channel.subscribers.add(session)
    const resumeSeq = lastEventId === undefined ? firstSubscribedSeq(channel, session.clientId) : parseSeq(lastEventId)
    const replay = resumeSeq === undefined ? undefined : channel.log.since(resumeSeq, Date.now())
    try {
      if (replay && !replay.complete) {
        stats.resumeGaps++
        if (reportGaps) yield withEventMeta({}, { comments: [GAP_MARKER_COMMENT] })
      }
      for (const event of replay?.events ?? []) {
        if (!isDeliverable(event.filter, session)) continue
        stats.eventsReplayed++
        stats.eventsDelivered++
        yield event.message
      }
      while (true) {
        const event = await queue.next()
        if (!event) return
        stats.eventsDelivered++
        yield event.message
      }
    } catch (error) {
      session.close(CloseCode.tryAgainLater, 'subscriber too slow: resume from the last event id')
      throw error
    } finally {
      session.subscriptions.delete(queue)
      if (session.subscriptions.size === 0) channel.subscribers.delete(session)
      releaseIfIdle(session.channel, channel)
    }
  }

  /** The resume point of a client id that subscribed before, or undefined (and now recorded) for a new one. */
  function firstSubscribedSeq(channel: Channel, clientId: string): number | undefined {
    const nowMs = Date.now()
    const known = channel.firstSubscribed.get(clientId)
    if (known && nowMs - known.atMs <= retentionMs) return known.seq
    if (channel.firstSubscribed.size >= maxEvents) {
      for (const [id, entry] of channel.firstSubscribed) {
        if (nowMs - entry.atMs > retentionMs) channel.firstSubscribed.delete(id)
      }
    }
    channel.firstSubscribed.set(clientId, { seq: channel.log.lastSeq ?? channel.log.firstSeq - 1, atMs: nowMs })
    return undefined
  }

  function methodContext(session: SocketSession): DurableIteratorMethodContext {
    return {
      channel: session.channel,
      clientId: session.clientId,
      claims: session.claims,
      publish: (payload, publishOptions) => publish(session.channel, payload, publishOptions),
    }
  }

  function verifyToken(token: string) {
    return inspectDurableIteratorToken(token, { signingKey: options.signingKey })
  }

  function accept(request: IncomingMessage, socket: Duplex, head: Buffer, onSocket: (ws: WebSocket) => void): void {
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.on('error', () => {
        // Oversized or broken frames: ws closes the socket itself (e.g. 1009); nothing else to do.
      })
      onSocket(ws)
    })
  }

  async function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (closed) {
      socket.destroy()
      return
    }
    const url = new URL(request.url ?? '/', 'http://hub.invalid')
    const clientId = url.searchParams.getAll(CLIENT_ID_PARAM).at(-1)
    const token = url.searchParams.getAll(TOKEN_PARAM).at(-1)
    const upgrade = { request, socket, head }
    if (stats.openSockets >= maxSockets) {
      refuse(upgrade, 'too many sockets', CloseCode.tryAgainLater, `too many sockets (${maxSockets}): try again later`)
      return
    }
    if (!clientId) {
      refuse(upgrade, 'missing client id', CloseCode.missingClientId, 'missing `id` query parameter')
      return
    }
    if (!token) {
      refuse(upgrade, 'missing token', CloseCode.invalidToken, 'missing `token` query parameter')
      return
    }
    // Verify before completing the upgrade, so the client cannot send before the session exists.
    const verification = await verifyToken(token)
    if (!verification.ok) {
      refuse(upgrade, verification.reason, CloseCode.invalidToken, `invalid token: ${verification.reason}`)
      return
    }
    accept(request, socket, head, (ws) => {
      const session = new SocketSession(clientId, verification.claims, ws, () => stats.expiredCloses++)
      sessions.add(session)
      stats.upgradesAccepted++
      stats.openSockets++
      ws.on('close', () => {
        session.dispose()
        sessions.delete(session)
        stats.openSockets--
      })
      const context: HubRouterContext = {
        session,
        verifyToken,
        subscribe,
        methodContext,
        methods: options.methods,
        onTokenUpdate: (_session, accepted) => {
          if (accepted) stats.tokenUpdates++
          else stats.tokenUpdatesRefused++
        },
      }
      serveSocketRpc(ws, context, () => stats.framesRejected++)
    })
  }

  return {
    handleUpgrade(request, socket, head) {
      handleUpgrade(request, socket, head).catch(() => socket.destroy())
    },
    publish,
    async issueToken(channel, { ttlSeconds, ...grant } = {}) {
      const token = await signDurableIteratorToken(
        { ...grant, chn: channel },
        {
          signingKey: options.signingKey,
          ttlSeconds: ttlSeconds ?? options.tokenTtlSeconds ?? 3600,
          tokenFormat: options.tokenFormat,
        },
      )
      stats.tokensIssued++
      return token
    },
    dropConnections(channel) {
      let dropped = 0
      for (const session of sessions) {
        if (channel !== undefined && session.channel !== channel) continue
        session.dispose()
        session.socket.terminate()
        dropped++
      }
      return dropped
    },
    subscriberCount(channel) {
      return channels.get(channel)?.subscribers.size ?? 0
    },
    stats: () => copyHubStats(stats),
    async close() {
      closed = true
      for (const session of sessions) session.close(SERVER_GOING_AWAY, 'server shutting down')
      for (const channel of channels.values()) clearTimeout(channel.idleTimer)
      channels.clear()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}
