import { type ClientLink, createORPCClient, getEventMeta } from '@orpc/client'
import { RPCLink } from '@orpc/client/websocket'
import type { ContractRouterClient } from '@orpc/contract'
import { focusManager, onlineManager } from '@tanstack/query-core'
import { WebSocket as ReconnectingWebSocket } from 'partysocket'
import { DurableIteratorError } from '../errors.js'
import { CloseCode, GAP_MARKER_COMMENT } from '../protocol/constants.js'
import type { DurableIteratorContract } from '../protocol/contract.js'
import type { CurrentToken, TokenProvider } from '../token/token-source.js'
import { AbortableWaits } from './abortable-wait.js'
import { backoffDelayMs, type ReconnectOptions } from './backoff.js'
import { asError, classifyTokenFailure } from './classify-failure.js'
import { type ConnectionTransition, type DurableConnectionStatus, nextStatus } from './connection-status.js'
import { EventBuffer } from './event-buffer.js'
import { Heartbeat, type HeartbeatOptions } from './heartbeat.js'
import { RemoteCalls } from './remote-calls.js'
import { createClientId, type DurableUrl, socketUrl } from './socket-url.js'
import { TokenRefresher } from './token-refresher.js'

/** A WebSocket constructor (the browser's, or `ws` in Node). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => unknown

export interface DurableConnectionOptions {
  tokens: TokenProvider
  url: DurableUrl
  reconnect: Required<ReconnectOptions>
  maxEvents: number
  proactiveRefresh: boolean
  /** Liveness probing of quiet sockets; false turns it off. */
  heartbeat: Required<HeartbeatOptions> | false
  /** Defaults to the global WebSocket. */
  WebSocket?: WebSocketConstructor
  /** A handshake that takes longer is abandoned and retried. @default 10000 */
  handshakeTimeoutMs?: number
}

/** What a connection looks like right now; a new object whenever something changed. */
export interface DurableConnectionSnapshot<TEvent> {
  status: DurableConnectionStatus
  /** The shared buffer, newest last. */
  events: readonly TEvent[]
  lastEvent: TEvent | undefined
  lastEventId: string | undefined
  /** Why the connection is in `error`, or why the last attempt failed while `reconnecting`. */
  error: DurableIteratorError | undefined
  /** Failed attempts since the stream was last open. */
  attempt: number
  /** When the current token expires, in local epoch milliseconds (skew-corrected). */
  tokenExpiresAt: number | undefined
  /**
   * How many times the server said that events after the resume point were no longer retained (after an
   * outage longer than its retention window): those events are lost, and the UI may want to reload.
   */
  gaps: number
}

/**
 * One shared stream: a partysocket whose URL provider takes its token from the TanStack Query cache, an
 * oRPC link over it that subscribes (resuming from the last event id after every reconnect), in-band
 * token refresh, remote calls, and a status that says what is going on. Knows nothing of React.
 */
export class DurableConnection<TEvent = unknown> {
  readonly clientId = createClientId()
  private readonly buffer: EventBuffer<TEvent>
  private readonly waits = new AbortableWaits()
  private readonly listeners = new Set<() => void>()
  private readonly eventListeners = new Set<(event: TEvent) => void>()
  private readonly gapListeners = new Set<() => void>()
  private readonly heartbeat: Heartbeat | undefined
  private gaps = 0
  private readonly refresher: TokenRefresher
  private readonly remote: RemoteCalls
  private socket: ReconnectingWebSocket | undefined
  private client: ContractRouterClient<DurableIteratorContract> | undefined
  private snapshot: DurableConnectionSnapshot<TEvent>
  private status: DurableConnectionStatus = 'idle'
  private attempt = 0
  private error: DurableIteratorError | undefined
  private token: CurrentToken | undefined
  /** Bumped per socket open; work started for an older socket checks it and stands down. */
  private generation = 0
  private subscribedGeneration = -1
  private iterator: AsyncIterator<unknown> | undefined
  /** The next attempt must not reuse the cached token. */
  private tokenSuspect = false
  /** A fresh token was already fetched in this run of failures (an outage costs one fetch, not one per retry). */
  private refetchedThisOutage = false
  /** A socket was handed out and has not closed yet (partysocket repeats close events for old sockets). */
  private socketLive = false
  private notifyScheduled = false
  private cleanups: Array<() => void> = []

  constructor(private readonly options: DurableConnectionOptions) {
    this.buffer = new EventBuffer<TEvent>(options.maxEvents)
    this.snapshot = this.takeSnapshot()
    this.refresher = new TokenRefresher({
      tokens: options.tokens,
      isLive: (generation) => generation === this.subscribedGeneration && this.status === 'open',
      currentToken: () => this.token,
      onToken: (token) => this.setToken(token),
      updateInBand: (token) => this.requireClient().updateToken({ token }),
      reconnectWith: () => this.socket?.reconnect(),
      fail: (error) => this.fail(error),
      retryDelayMs: (attempt) => backoffDelayMs(attempt, options.reconnect),
    })
    this.remote = new RemoteCalls(
      () => this.status,
      this.requireClient,
      (listener) => this.subscribe(listener),
    )
    if (options.heartbeat) {
      this.heartbeat = new Heartbeat(
        options.heartbeat,
        () => this.requireClient().ping(),
        () => this.socket?.reconnect(),
      )
    }
  }

  /** A typed oRPC client for the token's remote methods, over this connection's socket. */
  get rpcLink(): ClientLink<Record<never, never>> {
    return this.remote.link
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getSnapshot = (): DurableConnectionSnapshot<TEvent> => this.snapshot

  /** Calls `listener` once per new event, in order (for side effects; the snapshot batches). */
  onEvent(listener: (event: TEvent) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  /** Calls `listener` when the server reports lost events (see `gaps`). */
  onGap(listener: () => void): () => void {
    this.gapListeners.add(listener)
    return () => this.gapListeners.delete(listener)
  }

  ensureCapacity(maxEvents: number): void {
    this.buffer.ensureCapacity(maxEvents)
  }

  /** Opens the stream; does nothing if it is already running. */
  start(): void {
    if (this.socket) return
    this.transition('start')
    const socket = new ReconnectingWebSocket(this.provideUrl, [], {
      WebSocket: this.options.WebSocket,
      // Backoff, jitter and retry limits are ours (applied inside provideUrl, where they can be cut short).
      minReconnectionDelay: 0,
      maxReconnectionDelay: 0,
      maxRetries: Number.POSITIVE_INFINITY,
      connectionTimeout: this.options.handshakeTimeoutMs ?? 10_000,
      maxEnqueuedMessages: 0,
    })
    this.socket = socket
    // partysocket types readyState as number; oRPC's link wants the WebSocket constants.
    const link = new RPCLink({ websocket: socket as ConstructorParameters<typeof RPCLink>[0]['websocket'] })
    this.client = createORPCClient(link)
    socket.addEventListener('open', this.onSocketOpen)
    socket.addEventListener('close', this.onSocketClose)
    socket.addEventListener('message', () => this.heartbeat?.noteFrame())
    this.cleanups.push(
      this.options.tokens.onInvalidate(() => this.refresher.refreshNow(this.subscribedGeneration)),
      focusManager.subscribe((focused) => {
        if (focused) this.onResume()
      }),
      // Back online: retry now instead of finishing a backoff wait.
      onlineManager.subscribe((online) => {
        if (online) this.waits.skip()
      }),
    )
  }

  /** Reconnects now: reopens after `close()` or `error`, or replaces the socket and skips any backoff wait. */
  reconnect(): void {
    if (!this.socket) {
      this.start()
      return
    }
    if (this.status === 'closed' || this.status === 'error') {
      this.attempt = 0
      this.error = undefined
      this.transition('start')
      this.socket.reconnect()
      return
    }
    this.waits.skip()
    if (this.socket.readyState === this.socket.OPEN) this.socket.reconnect()
  }

  /** Closes the stream; `reconnect()` reopens it. Buffered events and the resume point are kept. */
  close(): void {
    // Status first: the socket's close event, dispatched synchronously, then sees a closed stream.
    this.transition('closed-by-user')
    this.stopSocket()
  }

  /** Closes the stream for good and lets go of every timer and subscription. */
  dispose(): void {
    this.close()
    for (const cleanup of this.cleanups) cleanup()
    this.cleanups = []
    this.listeners.clear()
    this.eventListeners.clear()
    this.gapListeners.clear()
  }

  private stopSocket(): void {
    this.generation++
    this.refresher.stop()
    this.heartbeat?.stop()
    this.waits.skip()
    this.iterator?.return?.().catch(() => {
      // The socket may already be closed ("WebSocket is not open"); nothing to undo.
    })
    this.iterator = undefined
    this.socket?.close()
  }

  /** partysocket's URL provider, run before every attempt. It must always settle, with an Error if not a URL. */
  private provideUrl = async (): Promise<string> => {
    const generation = this.generation
    try {
      // partysocket may start one more attempt as the stream closes or fails: make it go nowhere.
      this.assertRunning()
      // The first retry after losing an open stream is immediate; after that, backoff with jitter.
      await this.waits.sleep(backoffDelayMs(this.attempt - 1, this.options.reconnect))
      await this.waits.untilOnline()
      this.assertRunning()
      const fresh = this.tokenSuspect
      this.tokenSuspect = false
      const token = await this.options.tokens.get({ fresh })
      if (generation !== this.generation) throw new Error('connection closed while fetching its token')
      this.setToken(token)
      const url = await socketUrl(this.options.url, token, this.clientId)
      this.socketLive = true
      return url
    } catch (error) {
      if (generation === this.generation && this.status !== 'closed' && this.status !== 'error') {
        this.onAttemptError(error)
      }
      throw asError(error)
    }
  }

  private assertRunning(): void {
    if (this.status === 'closed' || this.status === 'error') throw new Error(`the stream is ${this.status}`)
  }

  private onAttemptError(error: unknown): void {
    const failure = classifyTokenFailure(error, this.options.tokens.procedureName)
    if (failure.terminal) {
      this.fail(failure.error)
      return
    }
    this.error = failure.error
    this.countFailure('attempt-failed')
  }

  private onSocketOpen = (): void => {
    const generation = ++this.generation
    void this.consume(generation)
  }

  /** Subscribes over the socket that just opened, resuming after the last event seen, and reads events. */
  private async consume(generation: number): Promise<void> {
    let iterator: AsyncIterator<unknown>
    try {
      iterator = await this.requireClient().subscribe({ reportGaps: true }, { lastEventId: this.buffer.lastEventId })
    } catch (error) {
      // The server answered the subscribe with an error: start over on a new socket, with backoff.
      if (generation === this.generation && this.socket?.readyState === this.socket?.OPEN) {
        this.error = classifyTokenFailure(error, this.options.tokens.procedureName).error
        this.socket?.reconnect()
      }
      return
    }
    if (generation !== this.generation) {
      iterator.return?.().catch(() => {})
      return
    }
    this.iterator = iterator
    this.subscribedGeneration = generation
    this.attempt = 0
    this.error = undefined
    this.refetchedThisOutage = false
    this.transition('subscribed')
    if (this.options.proactiveRefresh) this.refresher.schedule(generation)
    this.heartbeat?.start()
    try {
      while (generation === this.generation) {
        const result = await iterator.next()
        if (result.done) break
        this.acceptEvent(result.value as TEvent)
      }
    } catch {
      // The socket closed under the iterator; the close handler decides what happens next.
      return
    }
    // The server ended the stream while the socket stayed open: resubscribe on a new socket.
    if (generation === this.generation) this.socket?.reconnect()
  }

  private acceptEvent(event: TEvent): void {
    if (getEventMeta(event)?.comments?.includes(GAP_MARKER_COMMENT)) {
      this.gaps++
      for (const listener of this.gapListeners) listener()
      this.scheduleNotify()
      return
    }
    if (!this.buffer.accept(event)) return
    for (const listener of this.eventListeners) listener(event)
    this.scheduleNotify()
  }

  private onSocketClose = (event: { code: number; reason: string }): void => {
    // After a failed URL provider, partysocket dispatches another close for the socket that already closed.
    if (!this.socketLive) return
    this.socketLive = false
    if (this.status === 'closed' || this.status === 'error') return
    const wasSubscribed = this.subscribedGeneration === this.generation
    this.subscribedGeneration = -1
    this.generation++
    this.refresher.stop()
    this.heartbeat?.stop()
    this.iterator = undefined
    if (event.code === CloseCode.forbidden || event.code === CloseCode.missingClientId) {
      this.fail(
        new DurableIteratorError(
          'CONNECTION_REFUSED',
          `The server refused the connection (${event.code}${event.reason ? `: ${event.reason}` : ''}). ` +
            'The token does not allow this stream; call reconnect() after fixing access.',
        ),
      )
      return
    }
    if (event.code === CloseCode.invalidToken || event.code === CloseCode.policyViolation) {
      // The server says the token is bad or expired: never offer it again.
      this.tokenSuspect = true
    } else if (!wasSubscribed && !this.refetchedThisOutage) {
      // Closed before subscribing: maybe a refused token (browsers hide the status). Fetch a fresh one
      // once per outage, so a plain network failure does not cost one token fetch per retry.
      this.tokenSuspect = true
      this.refetchedThisOutage = true
    }
    if (wasSubscribed) {
      this.attempt = 1
      this.transition('connection-lost')
    } else {
      this.countFailure('attempt-failed')
    }
  }

  private countFailure(transition: ConnectionTransition): void {
    this.attempt++
    if (this.attempt > this.options.reconnect.maxRetries) {
      this.fail(
        new DurableIteratorError(
          'MAX_RETRIES',
          `Gave up after ${this.attempt} failed attempts in a row (reconnect.maxRetries is ${this.options.reconnect.maxRetries}). Call reconnect() to try again.`,
          { cause: this.error },
        ),
      )
      return
    }
    this.transition(transition)
  }

  private fail(error: DurableIteratorError): void {
    this.error = error
    this.transition('failed-terminally')
    this.stopSocket()
  }

  /** Back in the foreground after a while: check the token first, then retry at once if not open. */
  private onResume(): void {
    if (this.status === 'open' && this.token && Date.now() >= this.token.timing.refreshAtMs) {
      this.refresher.refreshNow(this.subscribedGeneration)
    } else if (this.status === 'reconnecting' || this.status === 'connecting') {
      this.waits.skip()
    }
  }

  private setToken(token: CurrentToken): void {
    if (this.token?.token === token.token) return
    this.token = token
    this.scheduleNotify()
  }

  private requireClient = (): ContractRouterClient<DurableIteratorContract> => {
    if (!this.client) throw new DurableIteratorError('NOT_CONNECTED', 'The connection has not been started.')
    return this.client
  }

  private transition(transition: ConnectionTransition): void {
    this.status = nextStatus(this.status, transition)
    this.scheduleNotify()
  }

  // Many events in one task (a burst, a replay) make one snapshot and one render, not one each.
  private scheduleNotify(): void {
    if (this.notifyScheduled) return
    this.notifyScheduled = true
    queueMicrotask(() => {
      this.notifyScheduled = false
      const next = this.takeSnapshot()
      if (isSameSnapshot(this.snapshot, next)) return
      this.snapshot = next
      for (const listener of this.listeners) listener()
    })
  }

  private takeSnapshot(): DurableConnectionSnapshot<TEvent> {
    return {
      status: this.status,
      events: this.buffer.events,
      lastEvent: this.buffer.lastEvent,
      lastEventId: this.buffer.lastEventId,
      error: this.error,
      attempt: this.attempt,
      tokenExpiresAt: this.token?.timing.expiresAtMs,
      gaps: this.gaps,
    }
  }
}

function isSameSnapshot<TEvent>(a: DurableConnectionSnapshot<TEvent>, b: DurableConnectionSnapshot<TEvent>): boolean {
  return (
    a.status === b.status &&
    a.events === b.events &&
    a.error === b.error &&
    a.attempt === b.attempt &&
    a.gaps === b.gaps &&
    a.tokenExpiresAt === b.tokenExpiresAt
  )
}
