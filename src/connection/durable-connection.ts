import type { ClientLink } from '@orpc/client'
import type { FetchQueryOptions, QueryKey } from '@tanstack/query-core'
import type { ResolvedSettings } from './connection-settings.js'
import type { ListenerErrorHandler } from './listener-errors.js'
import type { DurableConnectionSnapshot } from './snapshot.js'

/**
 * One stream, as its users see it: a snapshot to render (`subscribe`/`getSnapshot`, for `useSyncExternalStore`),
 * events as they arrive, remote methods, and control. Made by `createDurableConnection`: it owns a socket in this
 * tab, or follows the tab that does (`shareAcrossTabs`).
 */
export interface DurableConnection<TEvent = unknown> {
  /** The session's client id (the server resumes and filters by it; shared by every tab of a shared stream). */
  readonly clientId: string
  /** A link for the token's remote methods: `createORPCClient(connection.rpcLink)`. Calls wait while reconnecting. */
  readonly rpcLink: ClientLink<Record<never, never>>
  /** Calls `listener` when the snapshot changed: status changes at once, new events once per animation frame. */
  subscribe(listener: () => void): () => void
  /** The current state; the same object until something changed. */
  getSnapshot(): DurableConnectionSnapshot<TEvent>
  /** Calls `listener` once per new event, in order. A listener that throws goes to `onError` (default: console). */
  onEvent(listener: (event: TEvent) => void, onError?: ListenerErrorHandler): () => void
  /** Calls `listener` when the server reports lost events (see the snapshot's `gaps`). */
  onGap(listener: () => void, onError?: ListenerErrorHandler): () => void
  /** Opens the stream; does nothing if it is already running. */
  start(): void
  /** Reconnects now: reopens after `close()` or `error`, or replaces the socket and skips any backoff wait. */
  reconnect(): void
  /** Closes the stream; `reconnect()` reopens it. Buffered events and the resume point are kept. */
  close(): void
  /** Closes the stream for good and lets go of every timer and subscription. */
  dispose(): void
  /** Grows the shared buffer to hold at least `maxEvents` (it never shrinks while shared). */
  ensureCapacity(maxEvents: number): void
  /** @internal A user mounted the stream while nobody held it: a stream in `error` or `closed` starts again. */
  reviveForNewUser(): void
  /** @internal New provider settings; each applies in place or replaces the socket. */
  configure(settings: ResolvedSettings): void
  /** @internal New token query options (same key), e.g. after `tokenTimeoutMs` changed. */
  setTokenQuery<TToken extends string>(tokenQuery: FetchQueryOptions<TToken, Error, TToken, QueryKey>): void
}
