import { createORPCClient } from '@orpc/client'
import type { ContractRouterClient } from '@orpc/contract'
// The bare reconnecting socket: partysocket's main entry adds the PartySocket class (rooms, hosts), unused here.
import ReconnectingWebSocket from 'partysocket/ws'
import type { DurableIteratorError } from '../errors.js'
import type { DurableIteratorContract } from '../protocol/contract.js'
import { httpStatusOfUpgradeError, type SocketPhase } from './close-policy.js'
import { sendHeartbeatProbe } from './heartbeat.js'
import { createSocketLink } from './socket-link.js'

/** A WebSocket constructor (the browser's, or `ws` in Node). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => unknown

/** How a socket ended, as the transport saw it. */
export interface TransportEnd {
  code: number
  reason: string
  phase: SocketPhase
  httpStatus?: number
  timedOut: boolean
  endedByClient?: DurableIteratorError
}

export interface SocketTransportOptions {
  /** Runs before every attempt; must always settle, with an Error if there is no URL to try. */
  provideUrl: () => Promise<string>
  WebSocket: WebSocketConstructor | undefined
  handshakeTimeoutMs: number
  /** A socket opened; `socketId` names it in `isCurrent` and `markSubscribed`. */
  onOpen(socketId: number): void
  /** A socket that had been handed a URL ended (reported once per socket, with the error that came with it). */
  onEnd(end: TransportEnd): void
  /** Any frame arrived (a sign of life). */
  onFrame(): void
}

/**
 * partysocket and the oRPC link over it, reduced to what a stream needs: which socket is current, how far it got,
 * and one report per socket that ended, carrying its close code and, where readable, the HTTP status that refused
 * the upgrade. partysocket dispatches a synthetic close (code 1000) before the error that explains it, and repeats
 * closes for sockets that are already gone; both are sorted out here.
 */
export class SocketTransport {
  readonly client: ContractRouterClient<DurableIteratorContract>
  readonly #socket: ReconnectingWebSocket
  #phase: SocketPhase | 'none' = 'none'
  #socketId = 0
  #pendingEnd: TransportEnd | undefined
  #endReason: DurableIteratorError | undefined

  readonly #options: SocketTransportOptions

  constructor(options: SocketTransportOptions) {
    this.#options = options
    this.#socket = new ReconnectingWebSocket(options.provideUrl, [], {
      WebSocket: options.WebSocket,
      // Backoff, jitter and retry limits belong to the connection (inside provideUrl, where they can be cut short).
      minReconnectionDelay: 0,
      maxReconnectionDelay: 0,
      maxRetries: Number.POSITIVE_INFINITY,
      connectionTimeout: options.handshakeTimeoutMs,
      maxEnqueuedMessages: 0,
    })
    this.client = createORPCClient(createSocketLink(this.#socket))
    this.#socket.addEventListener('open', this.#handleOpen)
    this.#socket.addEventListener('close', this.#handleClose)
    this.#socket.addEventListener('error', this.#handleError)
    this.#socket.addEventListener('message', options.onFrame)
  }

  /** The URL provider handed partysocket a URL: a socket is on its way. */
  markOpening(): void {
    this.#phase = 'opening'
  }

  /** The socket's subscription started: from now on, its end is a lost stream. */
  markSubscribed(socketId: number): void {
    if (this.isCurrent(socketId)) this.#phase = 'subscribed'
  }

  /** Whether `socketId` is the live socket (work started for an older one stands down). */
  isCurrent(socketId: number): boolean {
    return socketId === this.#socketId && (this.#phase === 'subscribing' || this.#phase === 'subscribed')
  }

  get isOpen(): boolean {
    return this.#socket.readyState === this.#socket.OPEN
  }

  /** Sends the heartbeat probe outside the RPC link (its answer arrives through `onFrame`). */
  sendHeartbeatProbe(): void {
    sendHeartbeatProbe(this.#socket)
  }

  /** Ends the live socket, reported with `reason`; partysocket starts the next attempt. */
  restart(reason?: DurableIteratorError): void {
    this.#endReason = reason
    this.#socket.reconnect()
  }

  /** Starts attempts again after `stop()`. */
  resume(): void {
    this.#socket.reconnect()
  }

  /** Closes the socket without reporting it, and makes no further attempts until `resume()`. */
  stop(): void {
    this.#phase = 'none'
    this.#pendingEnd = undefined
    this.#endReason = undefined
    this.#socket.close()
  }

  #handleOpen = (): void => {
    this.#socketId++
    this.#phase = 'subscribing'
    this.#options.onOpen(this.#socketId)
  }

  #handleClose = (event: { code: number; reason: string }): void => {
    // Closes of sockets already reported, or of attempts that never got a URL (the provider reports those).
    if (this.#phase === 'none') return
    this.#pendingEnd = {
      code: event.code,
      reason: event.reason === 'unknown reason' ? '' : event.reason,
      phase: this.#phase,
      timedOut: this.#phase === 'opening' && event.reason === 'timeout',
      endedByClient: this.#endReason,
    }
    this.#phase = 'none'
    this.#endReason = undefined
    this.#socketId++
    // partysocket dispatches the error that explains a failed upgrade right after this close, synchronously.
    queueMicrotask(() => {
      const end = this.#pendingEnd
      this.#pendingEnd = undefined
      if (end) this.#options.onEnd(end)
    })
  }

  #handleError = (event: unknown): void => {
    if (!this.#pendingEnd) return
    const message = (event as { message?: unknown }).message
    if (typeof message !== 'string') return
    const httpStatus = httpStatusOfUpgradeError(message)
    if (httpStatus !== undefined && this.#pendingEnd.phase === 'opening') this.#pendingEnd.httpStatus = httpStatus
    if (message === 'TIMEOUT') this.#pendingEnd.timedOut = true
  }
}
