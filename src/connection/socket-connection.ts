import { type ClientLink, getEventMeta } from '@orpc/client'
import type { ContractRouterClient } from '@orpc/contract'
import { type FetchQueryOptions, focusManager, onlineManager, type QueryKey } from '@tanstack/query-core'
import { DurableIteratorError } from '../errors.js'
import { GAP_MARKER_COMMENT } from '../protocol/constants.js'
import type { DurableIteratorContract } from '../protocol/contract.js'
import { asStoredTokenQuery, type CurrentToken, type TokenSource } from '../token/token-source.js'
import { AbortableWaits } from './abortable-wait.js'
import { backoffDelayMs } from './backoff.js'
import { asError, classifyTokenFailure } from './classify-failure.js'
import { decideAfterClose, decideAfterSubscribeError } from './close-policy.js'
import { fixedUrlChanged, type ResolvedSettings, sameOptions } from './connection-settings.js'
import { type ConnectionTransition, type DurableConnectionStatus, nextStatus } from './connection-status.js'
import type { DurableConnection } from './durable-connection.js'
import { EventListeners } from './event-listeners.js'
import { Heartbeat } from './heartbeat.js'
import type { ListenerErrorHandler } from './listener-errors.js'
import { Outage } from './outage.js'
import { RemoteCalls } from './remote-calls.js'
import { type DurableConnectionSnapshot, SnapshotStore } from './snapshot.js'
import { SocketTransport, type TransportEnd } from './socket-transport.js'
import { endpointOf, socketUrl } from './socket-url.js'
import { StreamSession } from './stream-session.js'
import { readSubscription } from './subscription.js'
import { TokenRefresher } from './token-refresher.js'

/**
 * A stream that owns its socket: a partysocket whose URL provider takes its token from the TanStack Query cache, an oRPC link
 * over it that subscribes (resuming from the last event id after every reconnect), in-band token refresh, remote
 * calls, and a status that says what is going on. Every socket that ends goes through one policy
 * (`decideAfterClose`). Knows nothing of React.
 */
export class SocketConnection<TEvent = unknown> implements DurableConnection<TEvent> {
  #session: StreamSession<TEvent>
  readonly #waits = new AbortableWaits()
  readonly #outage = new Outage()
  readonly #snapshots: SnapshotStore<TEvent>
  readonly #listeners = new EventListeners<TEvent>()
  readonly #refresher: TokenRefresher
  readonly #remote: RemoteCalls
  #heartbeat: Heartbeat | undefined
  #transport: SocketTransport | undefined
  #status: DurableConnectionStatus = 'idle'
  #error: DurableIteratorError | undefined
  #token: CurrentToken | undefined
  /** Bumped whenever attempts stop or the transport is replaced: a URL provider from before stands down. */
  #run = 0
  #subscribedSocketId = -1
  #iterator: AsyncIterator<unknown> | undefined
  /** The URL of the current attempt (with id and token), to tell whether a new `url` setting moves the socket. */
  #attemptUrl: string | undefined
  /** The stream stopped because its token or access was refused: recovering starts a new session. */
  #refusedSession = false
  #stopTokenWatch: (() => void) | undefined
  #cleanups: Array<() => void> = []

  #settings: ResolvedSettings
  readonly #tokens: TokenSource
  #maxEvents: number

  constructor(settings: ResolvedSettings, tokens: TokenSource, maxEvents: number) {
    this.#settings = settings
    this.#tokens = tokens
    this.#maxEvents = maxEvents
    this.#session = new StreamSession(maxEvents)
    this.#snapshots = new SnapshotStore(() => this.#takeSnapshot())
    this.#refresher = new TokenRefresher({
      tokens,
      isLive: (socketId) => socketId === this.#subscribedSocketId && this.#status === 'open',
      currentToken: () => this.#token,
      onToken: (token) => this.#setToken(token),
      updateInBand: (token) => this.#requireClient().updateToken({ token }),
      reconnectWith: (cause) =>
        this.#transport?.restart(
          new DurableIteratorError(
            'CONNECTION_LOST',
            'The server refused the refreshed token over the live socket; reconnecting with it.',
            { cause },
          ),
        ),
      fail: (error) => this.#fail(error, error.code === 'TOKEN_REFUSED'),
      retryDelayMs: (failures) => backoffDelayMs(failures, this.#settings.reconnect),
    })
    this.#remote = new RemoteCalls(
      () => this.#status,
      this.#requireClient,
      (listener) => this.subscribe(listener),
    )
    this.#heartbeat = this.#createHeartbeat()
  }

  /** The current session's client id (the server resumes and filters by it). */
  get clientId(): string {
    return this.#session.clientId
  }

  /** A link for the token's remote methods, over this connection's socket. */
  get rpcLink(): ClientLink<Record<never, never>> {
    return this.#remote.link
  }

  /** Calls `listener` when the snapshot changed (once per batch of changes). */
  subscribe = (listener: () => void): (() => void) => this.#snapshots.subscribe(listener)

  /** Always current: a change made since the last notification is visible at once (e.g. right after `start()`). */
  getSnapshot = (): DurableConnectionSnapshot<TEvent> => this.#snapshots.get()

  /** Calls `listener` once per new event, in order. A listener that throws goes to `onError` (default: console). */
  onEvent(listener: (event: TEvent) => void, onError?: ListenerErrorHandler): () => void {
    return this.#listeners.onEvent(listener, onError)
  }

  /** Calls `listener` when the server reports lost events (see `gaps`). */
  onGap(listener: () => void, onError?: ListenerErrorHandler): () => void {
    return this.#listeners.onGap(listener, onError)
  }

  /** Grows the shared buffer for a user who asked for more events; it never shrinks while shared. */
  ensureCapacity(maxEvents: number): void {
    this.#maxEvents = Math.max(this.#maxEvents, maxEvents)
    this.#session.buffer.ensureCapacity(maxEvents)
  }

  /**
   * Continues a session another tab started (cross-tab hand-off): its client id, events and resume point. Only
   * before `start()`.
   */
  adoptSession(session: {
    clientId: string
    events: readonly TEvent[]
    lastEventId: string | undefined
    gaps: number
  }): void {
    this.#session = new StreamSession(this.#maxEvents, session.clientId)
    this.#session.buffer.restore(session.events, session.lastEventId)
    this.#session.gaps = session.gaps
    this.#snapshots.changed()
  }

  /** Opens the stream; does nothing if it is already running. */
  start(): void {
    if (this.#cleanups.length > 0) return
    this.#cleanups.push(
      this.#tokens.onInvalidate(() => {
        if (this.#status === 'open') this.#refresher.refreshNow(this.#subscribedSocketId, { fresh: true })
      }),
      focusManager.subscribe((focused) => {
        if (focused) this.#onResume()
      }),
      // Back online: retry now instead of finishing a backoff wait.
      onlineManager.subscribe((online) => {
        if (online) this.#waits.skip()
      }),
    )
    this.#transition('start')
    this.#openTransport()
  }

  /** Reconnects now: reopens after `close()` or `error`, or replaces the socket and skips any backoff wait. */
  reconnect(): void {
    if (this.#cleanups.length === 0) {
      this.start()
      return
    }
    if (this.#status === 'closed' || this.#status === 'error') {
      this.#recover({ freshToken: this.#status === 'error' })
      return
    }
    this.#waits.skip()
    if (this.#transport?.isOpen) {
      this.#transport.restart(
        new DurableIteratorError('CONNECTION_LOST', 'reconnect() was called; reconnecting and resuming.'),
      )
    }
  }

  /** A user mounted the stream while nobody held it: a stream left in `error` or `closed` starts again. */
  reviveForNewUser(): void {
    if (this.#status === 'closed' || this.#status === 'error') this.#recover({ freshToken: this.#status === 'error' })
  }

  /** Closes the stream; `reconnect()` reopens it. Buffered events and the resume point are kept. */
  close(): void {
    this.#transition('closed-by-user')
    this.#stopAttempts()
  }

  /** Closes the stream for good and lets go of every timer and subscription. */
  dispose(): void {
    this.close()
    this.#stopTokenWatch?.()
    for (const cleanup of this.#cleanups.splice(0)) cleanup()
    this.#snapshots.clear()
    this.#listeners.clear()
  }

  /** Takes new settings: each applies in place or replaces the socket, as `DurableConnectionSettings` says. */
  configure(next: ResolvedSettings): void {
    const previous = this.#settings
    this.#settings = next
    if (next.queryClient !== previous.queryClient) {
      this.#tokens.update({ queryClient: next.queryClient })
      this.#restartSession()
      return
    }
    if (
      next.parseToken !== previous.parseToken ||
      next.refreshBeforeExpirySeconds !== previous.refreshBeforeExpirySeconds
    ) {
      this.#tokens.update({ parseToken: next.parseToken, refreshBeforeExpirySeconds: next.refreshBeforeExpirySeconds })
      this.#retimeToken()
    }
    if (!sameOptions(previous.heartbeat, next.heartbeat)) {
      this.#heartbeat?.stop()
      this.#heartbeat = this.#createHeartbeat()
      if (this.#status === 'open') this.#heartbeat?.start()
    }
    if (next.proactiveRefresh !== previous.proactiveRefresh && this.#status === 'open') {
      if (next.proactiveRefresh) this.#refresher.schedule(this.#subscribedSocketId)
      else this.#refresher.stop()
    }
    if (next.WebSocket !== previous.WebSocket || next.handshakeTimeoutMs !== previous.handshakeTimeoutMs) {
      this.#replaceTransport()
    } else if (fixedUrlChanged(previous.url, next.url) !== false) {
      void this.#moveIfEndpointChanged()
    }
  }

  /** Replaces the token query options (same key), e.g. after `tokenTimeoutMs` changed. */
  setTokenQuery<TToken extends string>(tokenQuery: FetchQueryOptions<TToken, Error, TToken, QueryKey>): void {
    // The cache holds the token as a string; the branded type only informs the caller's types.
    this.#tokens.update({ tokenQuery: asStoredTokenQuery(tokenQuery) })
  }

  #createHeartbeat(): Heartbeat | undefined {
    const options = this.#settings.heartbeat
    if (!options) return undefined
    return new Heartbeat(
      options,
      () => this.#transport?.sendHeartbeatProbe(),
      () =>
        this.#transport?.restart(
          new DurableIteratorError(
            'CONNECTION_LOST',
            `No answer to a heartbeat within ${options.timeoutMs} ms after ${options.intervalMs} ms of silence; ` +
              'replacing the socket and resuming.',
          ),
        ),
    )
  }

  #openTransport(): void {
    const run = ++this.#run
    this.#transport = new SocketTransport({
      provideUrl: () => this.#provideUrl(run),
      WebSocket: this.#settings.WebSocket,
      handshakeTimeoutMs: this.#settings.handshakeTimeoutMs,
      onOpen: (socketId) => void this.#consume(socketId),
      onEnd: (end) => this.#onSocketEnd(end),
      onFrame: () => this.#heartbeat?.noteFrame(),
    })
  }

  /** Stops attempts and the socket, without a status change. */
  #stopAttempts(): void {
    this.#run++
    this.#refresher.stop()
    this.#heartbeat?.stop()
    this.#waits.skip()
    this.#iterator?.return?.().catch(() => {
      // The socket may already be closed ("WebSocket is not open"); nothing to undo.
    })
    this.#iterator = undefined
    this.#subscribedSocketId = -1
    this.#transport?.stop()
  }

  #isRunning(run: number): boolean {
    return run === this.#run && this.#status !== 'closed' && this.#status !== 'error'
  }

  /** partysocket's URL provider, run before every attempt. It must always settle, with an Error if not a URL. */
  async #provideUrl(run: number): Promise<string> {
    try {
      // partysocket may start one more attempt as the stream closes or fails: make it go nowhere.
      this.#assertRunning(run)
      // The first retry after losing an open stream is immediate; after that, backoff with jitter.
      await this.#waits.sleep(this.#outage.delayMs(this.#settings.reconnect))
      await this.#waits.untilOnline()
      this.#assertRunning(run)
      const { current: token, fetched } = await this.#tokens.get(this.#outage.nextTokenRequest())
      this.#assertRunning(run)
      this.#outage.tokenArrived(fetched)
      this.#setToken(token)
      const url = await socketUrl(this.#settings.url, token, this.#session.clientId)
      this.#assertRunning(run)
      this.#attemptUrl = url
      this.#transport?.markOpening()
      return url
    } catch (error) {
      if (this.#isRunning(run)) this.#onAttemptError(error)
      throw asError(error)
    }
  }

  #assertRunning(run: number): void {
    if (!this.#isRunning(run)) throw new Error(`the stream is ${this.#status}`)
  }

  #onAttemptError(error: unknown): void {
    const failure = classifyTokenFailure(error, this.#tokens.procedureName)
    if (failure.terminal) {
      this.#fail(failure.error, failure.error.code === 'TOKEN_REFUSED')
      return
    }
    if (failure.error.code === 'TOKEN_UNAVAILABLE' || failure.error.code === 'TOKEN_TIMEOUT') {
      this.#outage.tokenCallFailedNow()
    }
    this.#error = failure.error
    this.#outage.attemptFailed()
    this.#afterFailedAttempt()
  }

  /** Subscribes over the socket that just opened, resuming after the last event seen, and reads events. */
  async #consume(socketId: number): Promise<void> {
    const transport = this.#transport
    if (!transport) return
    await readSubscription(transport.client, this.#session.buffer.lastEventId, {
      isCurrent: () => transport.isCurrent(socketId),
      onSubscribed: (iterator) => {
        this.#iterator = iterator
        this.#subscribedSocketId = socketId
        transport.markSubscribed(socketId)
        this.#outage.subscribed(Date.now())
        this.#error = undefined
        this.#transition('subscribed')
        if (this.#settings.proactiveRefresh) this.#refresher.schedule(socketId)
        this.#heartbeat?.start()
      },
      onEvent: (event) => this.#acceptEvent(event as TEvent),
      onFailed: (error) => {
        const decision = decideAfterSubscribeError(error)
        // To retry, end this socket: its end is then the failed attempt, reported with this decision's error.
        if (decision.action === 'fail') this.#fail(decision.error, decision.endsSession)
        else transport.restart(decision.error)
      },
      onEnded: () =>
        transport.restart(
          new DurableIteratorError(
            'CONNECTION_LOST',
            'The server ended the subscription; resubscribing on a new socket.',
          ),
        ),
    })
  }

  #acceptEvent(event: TEvent): void {
    if (getEventMeta(event)?.comments?.includes(GAP_MARKER_COMMENT)) {
      this.#session.gaps++
      this.#listeners.emitGap()
      this.#snapshots.changed()
      return
    }
    if (!this.#session.buffer.accept(event)) return
    this.#outage.eventArrived()
    this.#listeners.emitEvent(event)
    this.#snapshots.eventsChanged()
  }

  #onSocketEnd(end: TransportEnd): void {
    if (this.#status === 'closed' || this.#status === 'error') return
    this.#refresher.stop()
    this.#heartbeat?.stop()
    this.#iterator = undefined
    this.#subscribedSocketId = -1
    const decision = decideAfterClose({
      ...end,
      tokenWasFresh: this.#outage.tokenWasFresh,
      refetchedThisOutage: this.#outage.refetchedThisOutage,
      endpoint: endpointOf(this.#attemptUrl),
      handshakeTimeoutMs: this.#settings.handshakeTimeoutMs,
    })
    if (decision.action === 'fail') {
      this.#fail(decision.error, decision.endsSession)
      return
    }
    this.#error = decision.error
    if (decision.freshToken) this.#outage.requireFreshToken()
    if (this.#outage.socketEnded(end.phase, Date.now()) === 'lost') this.#transition('connection-lost')
    else this.#afterFailedAttempt()
  }

  #afterFailedAttempt(): void {
    const { failures } = this.#outage
    const { maxRetries } = this.#settings.reconnect
    if (failures > maxRetries) {
      this.#fail(
        new DurableIteratorError(
          'MAX_RETRIES',
          `Gave up after ${failures} failed attempts in a row (reconnect.maxRetries is ${maxRetries}); the last ` +
            `one: ${this.#error?.message ?? 'unknown'} Call reconnect() to try again.`,
          { cause: this.#error },
        ),
        false,
      )
      return
    }
    this.#transition('attempt-failed')
  }

  #fail(error: DurableIteratorError, endsSession: boolean): void {
    this.#error = error
    this.#refusedSession = endsSession
    this.#transition('failed-terminally')
    this.#stopAttempts()
    // A new token in the cache (the app invalidates it after sign-in) brings the stream back.
    this.#stopTokenWatch?.()
    this.#stopTokenWatch = this.#tokens.watchForNewToken(() => this.#recover({ freshToken: false }))
  }

  /** Starts again after `close()` or `error`; after a refused token or access, as a new session. */
  #recover({ freshToken }: { freshToken: boolean }): void {
    this.#stopTokenWatch?.()
    this.#stopTokenWatch = undefined
    if (this.#refusedSession) this.#session = new StreamSession(this.#maxEvents)
    this.#refusedSession = false
    this.#outage.reset()
    if (freshToken) this.#outage.requireFreshToken()
    this.#error = undefined
    this.#transition('start')
    this.#stopAttempts()
    this.#openTransport()
  }

  /** A new token cache: a new session on a new socket, as if the stream had just been opened. */
  #restartSession(): void {
    this.#session = new StreamSession(this.#maxEvents)
    this.#token = undefined
    if (this.#status === 'idle' || this.#status === 'closed' || this.#status === 'error') {
      this.#snapshots.changed()
      return
    }
    this.#recover({ freshToken: false })
  }

  /** A new WebSocket implementation or handshake timeout: a new socket, resuming after the last event. */
  #replaceTransport(): void {
    if (!this.#transport || this.#status === 'closed' || this.#status === 'error') return
    const wasOpen = this.#status === 'open'
    this.#stopAttempts()
    if (wasOpen) {
      this.#error = new DurableIteratorError('CONNECTION_LOST', 'The WebSocket setting changed; reconnecting.')
      this.#outage.socketEnded('subscribed', Number.POSITIVE_INFINITY)
      this.#transition('connection-lost')
    }
    this.#openTransport()
  }

  /** After a `url` change: if the live socket's endpoint is no longer the one `url` gives, move to the new one. */
  async #moveIfEndpointChanged(): Promise<void> {
    const token = this.#token
    const attemptUrl = this.#attemptUrl
    const transport = this.#transport
    if (!token || !attemptUrl || !transport?.isOpen) return
    let next: string
    try {
      next = await socketUrl(this.#settings.url, token, this.#session.clientId)
    } catch {
      return // The next attempt reports a bad url.
    }
    if (next === attemptUrl || transport !== this.#transport || !transport.isOpen) return
    transport.restart(
      new DurableIteratorError(
        'CONNECTION_LOST',
        `The url changed; moving to ${endpointOf(next)} and resuming after the last event.`,
      ),
    )
  }

  /** Back in the foreground after a while: check the token first, then retry at once if not open. */
  #onResume(): void {
    if (this.#status === 'open' && this.#token && Date.now() >= this.#token.timing.refreshAtMs) {
      this.#refresher.refreshNow(this.#subscribedSocketId)
    } else if (this.#status === 'reconnecting' || this.#status === 'connecting') {
      this.#waits.skip()
    }
  }

  #retimeToken(): void {
    if (!this.#token) return
    try {
      this.#token = this.#tokens.read(this.#token.token)
    } catch {
      return // Unreadable with the new parser: the next token call reports it.
    }
    this.#snapshots.changed()
    if (this.#status === 'open' && this.#settings.proactiveRefresh) this.#refresher.schedule(this.#subscribedSocketId)
  }

  #setToken(token: CurrentToken): void {
    if (this.#token?.token === token.token) return
    this.#token = token
    this.#snapshots.changed()
  }

  #requireClient = (): ContractRouterClient<DurableIteratorContract> => {
    if (!this.#transport) throw new DurableIteratorError('NOT_CONNECTED', 'The connection has not been started.')
    return this.#transport.client
  }

  #transition(transition: ConnectionTransition): void {
    this.#status = nextStatus(this.#status, transition)
    this.#snapshots.changed()
  }

  #takeSnapshot(): DurableConnectionSnapshot<TEvent> {
    const { buffer, gaps } = this.#session
    return {
      status: this.#status,
      events: buffer.events,
      lastEvent: buffer.lastEvent,
      lastEventId: buffer.lastEventId,
      error: this.#error,
      attempt: this.#status === 'open' ? 0 : this.#outage.failures,
      tokenExpiresAt: this.#token?.timing.expiresAtMs,
      gaps,
    }
  }
}
