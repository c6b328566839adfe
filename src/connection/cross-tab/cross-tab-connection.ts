import type { ClientLink } from '@orpc/client'
import type { FetchQueryOptions, QueryKey } from '@tanstack/query-core'
import { DEV, withGuidance } from '../../dev.js'
import { DurableIteratorError } from '../../errors.js'
import { asStoredTokenQuery, type StoredTokenQuery, type TokenSource } from '../../token/token-source.js'
import { classifyTokenFailure } from '../classify-failure.js'
import type { ResolvedSettings } from '../connection-settings.js'
import type { DurableConnection } from '../durable-connection.js'
import { EventBuffer } from '../event-buffer.js'
import { EventListeners } from '../event-listeners.js'
import type { ListenerErrorHandler } from '../listener-errors.js'
import { type DurableConnectionSnapshot, SnapshotStore } from '../snapshot.js'
import type { SocketConnection } from '../socket-connection.js'
import { createClientId } from '../socket-url.js'
import { TabLeadership } from './tab-leadership.js'
import {
  type FollowerMessage,
  fromWireError,
  fromWireEvent,
  type LeaderMessage,
  type TabMessage,
  toWireError,
  toWireEvent,
  type WireError,
  type WireState,
} from './tab-messages.js'

/** How often the leading tab says it is alive (its state), at the least. */
const LEADER_HEARTBEAT_MS = 1000
/** A leader silent this long (frozen, or its page hung) is replaced. */
const LEADER_SILENT_MS = 3500

interface PendingCall {
  resolve(value: unknown): void
  reject(error: unknown): void
}

/**
 * One stream shared by every tab of an origin: the tab holding the stream's Web Lock leads (it owns the socket and
 * fetches the tokens, through its own SocketConnection) and fans events and state out over a BroadcastChannel; the
 * others follow, with the same snapshot, events in order and once, and remote calls relayed through the leader. When
 * the leader goes, the next tab takes the lock and continues the same session (client id, events, resume point).
 */
export class CrossTabConnection<TEvent = unknown> implements DurableConnection<TEvent> {
  readonly #tabId = createClientId()
  readonly #channel: BroadcastChannel
  readonly #leadership: TabLeadership
  readonly #createOwn: () => SocketConnection<TEvent>
  readonly #tokens: TokenSource
  readonly #buffer: EventBuffer<TEvent>
  readonly #listeners = new EventListeners<TEvent>()
  readonly #snapshots: SnapshotStore<TEvent>
  readonly #calls = new Map<string, PendingCall>()
  #role: 'follower' | 'leader' | 'alone' = 'follower'
  #own: SocketConnection<TEvent> | undefined
  #ownCleanups: Array<() => void> = []
  #state: WireState
  #error: DurableIteratorError | undefined
  #leaderId: string | undefined
  /** The newest leader's term this tab knows of (its own while leading). */
  #term = 0
  #lastHeardMs = 0
  #lastTickMs = 0
  #started = false
  #disposed = false
  #timer: ReturnType<typeof setInterval> | undefined
  #settings: ResolvedSettings
  #tokenQuery: StoredTokenQuery | undefined
  #cleanups: Array<() => void> = []

  constructor(options: {
    streamId: string
    settings: ResolvedSettings
    tokens: TokenSource
    maxEvents: number
    createOwn(): SocketConnection<TEvent>
  }) {
    this.#settings = options.settings
    this.#tokens = options.tokens
    this.#createOwn = options.createOwn
    this.#buffer = new EventBuffer(options.maxEvents)
    this.#state = { status: 'idle', attempt: 0, gaps: 0, clientId: createClientId() }
    this.#snapshots = new SnapshotStore(() => this.#takeSnapshot())
    this.#channel = new BroadcastChannel(`react-durable-iterator:${options.streamId}`)
    this.#leadership = new TabLeadership(`react-durable-iterator:${options.streamId}`, {
      onLead: () => this.#lead(),
      onLose: () => this.#follow(),
    })
  }

  get clientId(): string {
    return this.#own?.clientId ?? this.#state.clientId
  }

  readonly rpcLink: ClientLink<Record<never, never>> = {
    call: (path, input, options) => {
      if (this.#own) return this.#own.rpcLink.call(path, input, options)
      return this.#relayCall(path as string[], input, options.signal)
    },
  }

  subscribe = (listener: () => void): (() => void) => this.#snapshots.subscribe(listener)

  getSnapshot = (): DurableConnectionSnapshot<TEvent> => this.#snapshots.get()

  onEvent(listener: (event: TEvent) => void, onError?: ListenerErrorHandler): () => void {
    return this.#listeners.onEvent(listener, onError)
  }

  onGap(listener: () => void, onError?: ListenerErrorHandler): () => void {
    return this.#listeners.onGap(listener, onError)
  }

  start(): void {
    if (this.#started) return
    this.#started = true
    this.#setState({ ...this.#state, status: 'connecting' })
    this.#channel.onmessage = (event: MessageEvent<TabMessage>) => this.#receive(event.data)
    this.#lastHeardMs = Date.now()
    this.#lastTickMs = this.#lastHeardMs
    this.#post({ type: 'join' })
    this.#leadership.start()
    this.#timer = setInterval(() => this.#tick(), LEADER_HEARTBEAT_MS)
    this.#cleanups.push(
      this.#tokens.onInvalidate(() => this.#onTokenInvalidated()),
      onPageLifecycle(
        () => this.#handOver(),
        () => this.#onResume(),
      ),
    )
  }

  reconnect(): void {
    this.#command('reconnect', (own) => own.reconnect())
  }

  close(): void {
    this.#command('close', (own) => own.close())
  }

  reviveForNewUser(): void {
    this.#command('revive', (own) => own.reviveForNewUser())
  }

  dispose(): void {
    if (this.#disposed) return
    if (this.#role === 'leader') this.#announce({ type: 'leaving' })
    this.#disposed = true
    clearInterval(this.#timer)
    for (const cleanup of this.#cleanups.splice(0)) cleanup()
    this.#dropOwn()
    this.#leadership.stop()
    this.#channel.close()
    this.#rejectCalls('the stream was disposed')
    this.#listeners.clear()
    this.#snapshots.clear()
  }

  ensureCapacity(maxEvents: number): void {
    this.#buffer.ensureCapacity(maxEvents)
    this.#own?.ensureCapacity(maxEvents)
  }

  configure(settings: ResolvedSettings): void {
    this.#settings = settings
    this.#tokens.update({
      parseToken: settings.parseToken,
      refreshBeforeExpirySeconds: settings.refreshBeforeExpirySeconds,
    })
    this.#own?.configure(settings)
  }

  setTokenQuery<TToken extends string>(tokenQuery: FetchQueryOptions<TToken, Error, TToken, QueryKey>): void {
    this.#tokenQuery = asStoredTokenQuery(tokenQuery)
    this.#tokens.update({ tokenQuery: this.#tokenQuery })
    this.#own?.setTokenQuery(tokenQuery)
  }

  /** This tab got the lock: open the socket here, continuing the session the tabs share. */
  #lead(): void {
    if (this.#disposed) {
      this.#leadership.stop()
      return
    }
    this.#role = 'leader'
    this.#leaderId = this.#tabId
    // Later than any term before it, in every tab: terms are the time they began (one clock per browser), and at least
    // one more than the newest this tab heard of.
    this.#term = Math.max(this.#term + 1, Date.now())
    this.#rejectCalls('the tab that held the connection went away')
    this.#runOwn({ continueSession: true })
  }

  /** Another tab took the lock from this one (this tab was frozen or slow): follow it. */
  #follow(): void {
    if (this.#disposed || this.#role !== 'leader') return
    this.#role = 'follower'
    this.#dropOwn()
    this.#lastHeardMs = Date.now()
    this.#leadership.start()
  }

  /** Runs a socket in this tab, mirroring its state (and, when leading, telling the other tabs). */
  #runOwn({ continueSession }: { continueSession: boolean }): void {
    const own = this.#createOwn()
    own.configure(this.#settings)
    if (this.#tokenQuery) own.setTokenQuery(this.#tokenQuery)
    if (continueSession) {
      own.adoptSession({
        clientId: this.#state.clientId,
        events: this.#buffer.events,
        lastEventId: this.#buffer.lastEventId,
        gaps: this.#state.gaps,
      })
    }
    this.#own = own
    this.#ownCleanups.push(
      own.onEvent((event) => {
        this.#accept(event)
        if (this.#role === 'leader') this.#announce({ type: 'event', event: toWireEvent(event) })
      }),
      own.onGap(() => {
        this.#listeners.emitGap()
        if (this.#role === 'leader') this.#announce({ type: 'gap', gaps: own.getSnapshot().gaps })
      }),
      own.subscribe(() => this.#mirrorOwn()),
    )
    own.start()
    this.#mirrorOwn()
  }

  #dropOwn(): void {
    for (const cleanup of this.#ownCleanups.splice(0)) cleanup()
    this.#own?.dispose()
    this.#own = undefined
  }

  #mirrorOwn(): void {
    const own = this.#own
    if (!own) return
    const snapshot = own.getSnapshot()
    this.#setState({
      status: snapshot.status,
      error: snapshot.error && toWireError(snapshot.error),
      attempt: snapshot.attempt,
      tokenExpiresAt: snapshot.tokenExpiresAt,
      gaps: snapshot.gaps,
      clientId: own.clientId,
    })
    this.#error = snapshot.error
    if (this.#role === 'leader') this.#announce({ type: 'state', state: this.#state })
  }

  #receive(message: TabMessage): void {
    if (this.#disposed || this.#role === 'alone') return
    if (this.#role === 'leader') {
      this.#serve(message)
      return
    }
    if (!('term' in message) || !this.#fromCurrentLeader(message)) return
    switch (message.type) {
      case 'state':
        this.#setState(message.state)
        return
      case 'welcome':
        if (message.to !== this.#tabId) return
        this.#welcome(
          message.events.map((event) => fromWireEvent<TEvent>(event)),
          message.lastEventId,
        )
        this.#setState(message.state)
        return
      case 'event':
        this.#accept(fromWireEvent<TEvent>(message.event))
        return
      case 'gap':
        this.#setState({ ...this.#state, gaps: message.gaps })
        this.#listeners.emitGap()
        return
      case 'result': {
        if (message.to !== this.#tabId) return
        const call = this.#calls.get(message.id)
        this.#calls.delete(message.id)
        if (message.ok) call?.resolve(message.value)
        else call?.reject(fromWireError(message.error))
        return
      }
      case 'leaving':
        // Its lock goes to the next tab in the queue; do not wait for silence.
        this.#rejectCalls('the tab that held the connection went away')
        return
    }
  }

  /**
   * Whether a message is from the current leader: a newer term is a new leader, whose messages are followed from now
   * on; an older one is from a leader that was replaced while it could not run and has not found out yet.
   */
  #fromCurrentLeader(message: TabMessage & LeaderMessage): boolean {
    if (message.term < this.#term) return false
    this.#lastHeardMs = Date.now()
    if (message.term === this.#term && message.from === this.#leaderId) return true
    // A new leader: what was asked of the previous one is lost with it; ask the new one for what it has.
    this.#term = message.term
    this.#leaderId = message.from
    this.#rejectCalls('the tab that held the connection went away')
    this.#post({ type: 'join' })
    return true
  }

  /** The leader answers the other tabs. */
  #serve(message: TabMessage): void {
    const own = this.#own
    if (!own) return
    switch (message.type) {
      case 'join':
        this.#announce({
          type: 'welcome',
          to: message.from,
          events: this.#buffer.events.map(toWireEvent),
          lastEventId: this.#buffer.lastEventId,
          state: this.#state,
        })
        return
      case 'call':
        own.rpcLink.call(message.path, message.input, { context: {} }).then(
          (value) => this.#announce({ type: 'result', to: message.from, id: message.id, ok: true, value }),
          (error) =>
            this.#announce({ type: 'result', to: message.from, id: message.id, ok: false, error: toWireError(error) }),
        )
        return
      case 'command':
        if (message.command === 'reconnect') own.reconnect()
        else if (message.command === 'close') own.close()
        else if (message.command === 'revive') own.reviveForNewUser()
        else void this.#tokens.invalidate()
        return
      case 'state':
        // Another leader: this tab lost its lock while it could not run (frozen). It finds out from Web Locks.
        return
    }
  }

  #welcome(events: TEvent[], lastEventId: string | undefined): void {
    if (this.#buffer.lastEventId !== undefined) {
      // This tab was on the stream before (it could not run for a while, or led until it was replaced): the events it
      // missed arrive as events; those it has are dropped as duplicates.
      for (const event of events) this.#accept(event)
      return
    }
    // Events that arrived before the welcome are newer than those it lists, or the same (dropped as duplicates).
    const arrivedMeanwhile = this.#buffer.events
    this.#buffer.restore(events, lastEventId)
    for (const event of arrivedMeanwhile) this.#buffer.accept(event)
    this.#snapshots.eventsChanged()
  }

  #accept(event: TEvent): void {
    if (!this.#buffer.accept(event)) return
    this.#listeners.emitEvent(event)
    this.#snapshots.eventsChanged()
  }

  #setState(state: WireState): void {
    const previous = this.#state.error
    this.#state = state
    if (!state.error) this.#error = undefined
    else if (!this.#error || !sameWireError(previous, state.error))
      this.#error = fromWireError(state.error) as DurableIteratorError
    this.#snapshots.changed()
  }

  #tick(): void {
    const now = Date.now()
    // Time this tab could not run (frozen, paused, throttled in the background) is not the leader's silence: what the
    // leader sent meanwhile waits in this tab's queue, possibly behind this tick.
    const notRunningMs = now - this.#lastTickMs - LEADER_HEARTBEAT_MS
    this.#lastTickMs = now
    if (notRunningMs > LEADER_HEARTBEAT_MS) this.#lastHeardMs += notRunningMs
    if (this.#role === 'leader') {
      this.#announce({ type: 'state', state: this.#state })
      return
    }
    if (!this.#leaderIsSilent()) return
    // The leader stopped answering: take over (its lock, and with it the stream), unless another tab does.
    this.#leadership.steal(() => this.#leaderIsSilent())
  }

  #leaderIsSilent(): boolean {
    return this.#role === 'follower' && !this.#disposed && Date.now() - this.#lastHeardMs >= LEADER_SILENT_MS
  }

  #command(command: 'reconnect' | 'close' | 'revive', locally: (own: SocketConnection<TEvent>) => void): void {
    if (this.#own) locally(this.#own)
    else this.#post({ type: 'command', command })
  }

  #relayCall(path: string[], input: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    const { status } = this.#state
    if (status === 'closed' || status === 'error') {
      return Promise.reject(
        new DurableIteratorError(
          'NOT_CONNECTED',
          withGuidance(`Cannot call a remote method: the stream is ${status}.`, DEV && 'Call reconnect() first.'),
        ),
      )
    }
    const id = createClientId()
    return new Promise((resolve, reject) => {
      this.#calls.set(id, { resolve, reject })
      signal?.addEventListener('abort', () => {
        this.#calls.delete(id)
        reject(signal.reason)
      })
      this.#post({ type: 'call', id, path, input })
    })
  }

  #rejectCalls(why: string): void {
    for (const call of this.#calls.values()) {
      call.reject(
        new DurableIteratorError(
          'NOT_CONNECTED',
          withGuidance(`A remote call was lost: ${why} during it.`, DEV && 'Call it again if it is safe to repeat.'),
        ),
      )
    }
    this.#calls.clear()
  }

  /**
   * The app invalidated this tab's token (sign-out, role change). A follower asks its own token procedure: if it
   * refuses, this tab leaves the shared stream and runs alone (where the refusal shows as `error`); otherwise the
   * leader is told to refresh the shared stream's token.
   */
  #onTokenInvalidated(): void {
    if (this.#role !== 'follower') return
    this.#tokens.get({ fresh: true }).then(
      () => this.#post({ type: 'command', command: 'invalidate' }),
      (error) => {
        if (classifyTokenFailure(error, this.#tokens.procedureName).terminal) this.#leave()
      },
    )
  }

  /** Stops sharing: this tab runs its own socket with its own token, as a new session. */
  #leave(): void {
    if (this.#disposed || this.#role === 'alone') return
    this.#role = 'alone'
    this.#leadership.stop()
    this.#channel.close()
    this.#rejectCalls('this tab left the shared stream')
    this.#buffer.restore([], undefined)
    this.#runOwn({ continueSession: false })
  }

  /**
   * This page is going away (closed, navigated) or about to be frozen: hand the stream to another tab now. A closing
   * page's lock would pass on only once the browser has torn the page down, most of a second later.
   */
  #handOver(): void {
    if (this.#role !== 'leader') return
    this.#announce({ type: 'leaving' })
    this.#role = 'follower'
    this.#dropOwn()
    this.#leadership.stop()
  }

  #onResume(): void {
    if (this.#role !== 'follower' || this.#disposed) return
    this.#lastHeardMs = Date.now()
    this.#leadership.start()
  }

  #post(message: FollowerMessage): void {
    this.#send({ ...message, from: this.#tabId })
  }

  #announce(message: DistributiveOmit<LeaderMessage, 'term'>): void {
    this.#send({ ...message, term: this.#term, from: this.#tabId })
  }

  #send(message: TabMessage): void {
    // A closed channel throws: a remote call that answers after this tab left the stream has no one to tell.
    if (this.#disposed || this.#role === 'alone') return
    this.#channel.postMessage(message)
  }

  #takeSnapshot(): DurableConnectionSnapshot<TEvent> {
    return {
      status: this.#state.status,
      events: this.#buffer.events,
      lastEvent: this.#buffer.lastEvent,
      lastEventId: this.#buffer.lastEventId,
      error: this.#error,
      attempt: this.#state.attempt,
      tokenExpiresAt: this.#state.tokenExpiresAt,
      gaps: this.#state.gaps,
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

function sameWireError(a: WireError | undefined, b: WireError): boolean {
  return a?.kind === b.kind && a.code === b.code && a.message === b.message
}

/**
 * Calls `onLeave` when the page is closed, navigated away or frozen (the freeze event is Chromium's), and `onBack` when
 * it runs again after that.
 */
function onPageLifecycle(onLeave: () => void, onBack: () => void): () => void {
  if (typeof document === 'undefined' || typeof window === 'undefined') return () => {}
  // The first pageshow (persisted false) is the page loading; a persisted one is a return from the back/forward cache.
  const onPageShow = (event: PageTransitionEvent) => {
    if (event.persisted) onBack()
  }
  document.addEventListener('freeze', onLeave)
  document.addEventListener('resume', onBack)
  window.addEventListener('pagehide', onLeave)
  window.addEventListener('pageshow', onPageShow)
  return () => {
    document.removeEventListener('freeze', onLeave)
    document.removeEventListener('resume', onBack)
    window.removeEventListener('pagehide', onLeave)
    window.removeEventListener('pageshow', onPageShow)
  }
}
