import { type AnyRouter, withEventMeta } from '@orpc/server'
import { encodeHibernationRPCEvent, HibernationPlugin } from '@orpc/server/hibernation'
import { type MinimalWebsocket, RPCHandler } from '@orpc/server/websocket'
import { CLIENT_ID_PARAM, CloseCode, GAP_MARKER_COMMENT, TOKEN_PARAM } from '../protocol/constants.js'
import { isDeliverable, type PublishOptions, resolveDeliveryFilter } from '../protocol/delivery-filter.js'
import type { DurableIteratorMethodContext } from '../protocol/method-context.js'
import { type TokenVerification, verifyTokenWithKey } from '../protocol/token-verification.js'
import { checkRefuseUpgradesWith, type RefuseUpgradesWith, refusalHttpStatus } from '../protocol/upgrade-refusal.js'
import { EventStore } from './event-store.js'
import { answerHeartbeatsWithoutWaking } from './heartbeat-auto-response.js'
import { type ObjectRouterContext, objectRouter } from './object-router.js'
import { PUBLISH_PATH, type PublishRequest } from './publish.js'
import {
  createWebSocketPair,
  type DurableObjectStateLike,
  type HibernatableWebSocket,
  isOpen,
  upgradeResponse,
} from './runtime.js'
import { type SigningKey, toKeyBytes } from './signing-key.js'
import { readSocketState, type SocketState, updateSocketState, writeSocketState } from './socket-state.js'

export interface DurableIteratorObjectOptions<TMethods extends AnyRouter = Record<never, never>> {
  /** HS256 secret, at least 32 bytes: the same key the token procedure signs with. */
  signingKey: SigningKey
  /**
   * How long published events are kept (in the object's SQLite storage) for clients that resume.
   * @default 300
   */
  resumeRetentionSeconds?: number
  /**
   * At most this many events are kept for resume.
   * @default 1000
   */
  resumeMaxEvents?: number
  /**
   * Frames larger than this close the socket with 1009.
   * @default 65536
   */
  maxPayloadBytes?: number
  /** Remote methods, run with `DurableIteratorMethodContext`; a token may call `methods[name]` if `name` is in `rpc`. */
  methods?: TMethods
  /**
   * How the object refuses an upgrade that reaches it without a client id or a valid token, or whose claims are too
   * large to keep: accepted and closed with 4000/4001/4003, or HTTP 400/401/403 before upgrading (`'http-status'`).
   * Use the same setting as `upgradeDurableIteratorRequest`.
   * @default 'close-code'
   */
  refuseUpgradesWith?: RefuseUpgradesWith
}

/** The class `createDurableIteratorObject` returns: export it (or a subclass) under the name in your wrangler config. */
export interface DurableIteratorObjectClass<TEnv> {
  new (ctx: DurableObjectStateLike, env: TEnv): DurableIteratorObject
}

/** One channel's hub as a Durable Object. */
export interface DurableIteratorObject {
  /** Socket upgrades (already checked by `upgradeDurableIteratorRequest`) and publishes from `publishDurableIteratorEvent`. */
  fetch(request: Request): Promise<Response>
  webSocketMessage(socket: HibernatableWebSocket, message: string | ArrayBuffer): Promise<void>
  webSocketClose(socket: HibernatableWebSocket, code: number, reason: string, wasClean: boolean): void
  webSocketError(socket: HibernatableWebSocket, error: unknown): void
  /** Closes sockets whose token expired without an update. */
  alarm(): Promise<void>
  /** Publishes to this object's channel and keeps the event for resume. Payloads must be objects. */
  publish(payload: object, options?: PublishOptions): void
}

const INVALID_FRAME_CODE = 1007
const ABORT_MESSAGE_TYPE = 4

/**
 * Makes a Durable Object class that serves the durable-iterator protocol for one channel (address it with
 * `idFromName(channel)`): hibernatable sockets whose state lives in their attachments, resume from the object's
 * SQLite storage, `updateToken`, `call` with the `rpc` allow-list, tags/targets/exclude, and 4001 closes on expiry.
 * `options` may be a function of `env`, to read the signing key from a secret.
 */
export function createDurableIteratorObject<TEnv = unknown, TMethods extends AnyRouter = Record<never, never>>(
  options: DurableIteratorObjectOptions<TMethods> | ((env: TEnv) => DurableIteratorObjectOptions<TMethods>),
): DurableIteratorObjectClass<TEnv> {
  return class implements DurableIteratorObject {
    readonly #ctx: DurableObjectStateLike
    readonly #options: DurableIteratorObjectOptions<TMethods>
    readonly #key: Uint8Array
    readonly #store: EventStore
    readonly #handler: RPCHandler<ObjectRouterContext>
    readonly #refuseWith: RefuseUpgradesWith

    constructor(ctx: DurableObjectStateLike, env: TEnv) {
      this.#ctx = ctx
      this.#options = typeof options === 'function' ? options(env) : options
      this.#key = toKeyBytes(this.#options.signingKey)
      this.#refuseWith = checkRefuseUpgradesWith(this.#options.refuseUpgradesWith)
      // Heartbeats from idle clients are answered by the runtime: they neither wake this object nor bill its time.
      answerHeartbeatsWithoutWaking(ctx)
      const retentionSeconds = this.#options.resumeRetentionSeconds ?? 300
      this.#store = new EventStore(ctx.storage.sql, {
        retentionMs: retentionSeconds * 1000,
        maxEvents: this.#options.resumeMaxEvents ?? 1000,
      })
      this.#handler = new RPCHandler<ObjectRouterContext>(objectRouter, { plugins: [new HibernationPlugin()] })
    }

    async fetch(request: Request): Promise<Response> {
      const url = new URL(request.url)
      if (request.headers.get('upgrade')?.toLowerCase() === 'websocket') return this.#accept(url)
      if (request.method === 'POST' && url.pathname === PUBLISH_PATH) {
        const { payload, options: publishOptions } = (await request.json()) as PublishRequest
        this.publish(payload, publishOptions)
        return new Response(null, { status: 204 })
      }
      return new Response('Not found', { status: 404 })
    }

    async webSocketMessage(socket: HibernatableWebSocket, message: string | ArrayBuffer): Promise<void> {
      const state = readSocketState(socket)
      if (!state || this.#closeIfExpired(socket, state)) return
      const size = typeof message === 'string' ? new TextEncoder().encode(message).byteLength : message.byteLength
      if (size > (this.#options.maxPayloadBytes ?? 65_536)) {
        socket.close(CloseCode.messageTooBig, 'frame too big')
        return
      }
      if (typeof message === 'string') this.#forgetAbortedSubscription(socket, state, message)
      try {
        await this.#handler.message(socket as unknown as MinimalWebsocket, message, {
          context: this.#routerContext(socket, state),
        })
      } catch {
        if (isOpen(socket)) socket.close(INVALID_FRAME_CODE, 'invalid frame: expected an oRPC message')
      }
    }

    webSocketClose(socket: HibernatableWebSocket, code: number, reason: string): void {
      this.#handler.close(socket as unknown as MinimalWebsocket)
      try {
        // Complete the close handshake; codes a peer may not send (1005, 1006) are answered without one.
        if (code >= 1000 && code < 5000 && code !== 1005 && code !== 1006) socket.close(code, reason)
        else socket.close()
      } catch {
        // Already closed.
      }
    }

    webSocketError(socket: HibernatableWebSocket): void {
      this.#handler.close(socket as unknown as MinimalWebsocket)
    }

    async alarm(): Promise<void> {
      for (const socket of this.#ctx.getWebSockets()) {
        const state = readSocketState(socket)
        if (state) this.#closeIfExpired(socket, state)
      }
      await this.#scheduleExpiry()
    }

    publish(payload: object, publishOptions: PublishOptions = {}): void {
      if (typeof payload !== 'object' || payload === null) {
        throw new TypeError(
          'react-durable-iterator: publish needs an object or array payload. Wrap values, e.g. { value }.',
        )
      }
      const sockets = this.#ctx.getWebSockets().flatMap((socket) => {
        const state = readSocketState(socket)
        return state && isOpen(socket) ? [{ socket, state }] : []
      })
      const filter = resolveDeliveryFilter(
        publishOptions,
        sockets.map(({ state }) => state),
      )
      const seq = this.#store.append(payload, filter, Date.now())
      const message = withEventMeta(payload, { id: String(seq) })
      for (const { socket, state } of sockets) {
        if (state.subscriptionId === undefined || this.#closeIfExpired(socket, state)) continue
        if (!isDeliverable(filter, state)) continue
        send(socket, encodeHibernationRPCEvent(state.subscriptionId, message))
      }
    }

    async #accept(url: URL): Promise<Response> {
      const clientId = url.searchParams.getAll(CLIENT_ID_PARAM).at(-1)
      const token = url.searchParams.getAll(TOKEN_PARAM).at(-1)
      // Checked again here: an object must not trust that every caller went through the Worker's check.
      const verification: TokenVerification | undefined = token ? await this.#verify(token) : undefined
      const refusal = refusalBeforeUpgrade(clientId, verification)
      if (refusal && this.#refuseWith === 'http-status') {
        return new Response(refusal.reason, { status: refusalHttpStatus(refusal.code) })
      }
      const { client, server } = createWebSocketPair()
      this.#ctx.acceptWebSocket(server)
      if (refusal) {
        server.close(refusal.code, refusal.reason)
      } else if (clientId && verification?.ok) {
        try {
          writeSocketState(server, { clientId, claims: verification.claims })
        } catch {
          // Attachments hold at most 16 KiB: a larger `att` cannot be kept across hibernation. The socket is
          // accepted by now, so even with 'http-status' this refusal is a close.
          server.close(CloseCode.forbidden, 'token claims too large for this hub')
          return upgradeResponse(client)
        }
        await this.#scheduleExpiry()
      }
      return upgradeResponse(client)
    }

    #verify(token: string): Promise<TokenVerification> {
      return verifyTokenWithKey(token, this.#key, Date.now())
    }

    #routerContext(socket: HibernatableWebSocket, state: SocketState): ObjectRouterContext {
      return {
        state,
        verifyToken: (token) => this.#verify(token),
        // Both update the attachment as it is now, not as this message first read it: another message on the same
        // socket may have changed it while this one awaited.
        replaceClaims: (claims) => {
          state.claims = claims
          updateSocketState(socket, { claims })
          this.#scheduleExpiry().catch(() => undefined)
        },
        onSubscribed: (subscriptionId, { lastEventId, reportGaps }) => {
          state.subscriptionId = subscriptionId
          const current = updateSocketState(socket, { subscriptionId }) ?? state
          this.#replay(socket, current, subscriptionId, lastEventId, reportGaps)
        },
        methodContext: (): DurableIteratorMethodContext => ({
          channel: state.claims.chn,
          clientId: state.clientId,
          claims: state.claims,
          publish: (payload, publishOptions) => this.publish(payload, publishOptions),
        }),
        methods: this.#options.methods,
      }
    }

    #replay(
      socket: HibernatableWebSocket,
      state: SocketState,
      subscriptionId: string,
      lastEventId: string | undefined,
      reportGaps: boolean,
    ): void {
      const nowMs = Date.now()
      const resumeSeq =
        lastEventId === undefined ? this.#store.firstSubscribedSeq(state.clientId, nowMs) : parseSeq(lastEventId)
      if (resumeSeq === undefined) return
      const replay = this.#store.since(resumeSeq, nowMs)
      if (!replay.complete && reportGaps) {
        send(socket, encodeHibernationRPCEvent(subscriptionId, withEventMeta({}, { comments: [GAP_MARKER_COMMENT] })))
      }
      for (const event of replay.events) {
        if (!isDeliverable(event.filter, state)) continue
        send(socket, encodeHibernationRPCEvent(subscriptionId, withEventMeta(event.payload, { id: String(event.seq) })))
      }
    }

    /** A client that stops its `subscribe` sends an abort for its id: stop sending events under it. */
    #forgetAbortedSubscription(socket: HibernatableWebSocket, state: SocketState, message: string): void {
      if (state.subscriptionId === undefined || !message.includes(`"t":${ABORT_MESSAGE_TYPE}`)) return
      try {
        const parsed = JSON.parse(message) as { i?: unknown; t?: unknown }
        if (parsed.t === ABORT_MESSAGE_TYPE && parsed.i === state.subscriptionId) {
          state.subscriptionId = undefined
          updateSocketState(socket, { subscriptionId: undefined })
        }
      } catch {
        // Not JSON: the handler refuses it.
      }
    }

    #closeIfExpired(socket: HibernatableWebSocket, state: SocketState): boolean {
      if (state.claims.exp * 1000 > Date.now()) return false
      if (isOpen(socket)) socket.close(CloseCode.invalidToken, 'token expired')
      return true
    }

    /** Arms the alarm for the earliest token expiry among the open sockets. */
    async #scheduleExpiry(): Promise<void> {
      let earliestMs = Number.POSITIVE_INFINITY
      for (const socket of this.#ctx.getWebSockets()) {
        const state = readSocketState(socket)
        if (state && isOpen(socket)) earliestMs = Math.min(earliestMs, state.claims.exp * 1000)
      }
      if (!Number.isFinite(earliestMs)) return
      const current = await this.#ctx.storage.getAlarm()
      if (current === null || current > earliestMs || current < Date.now()) await this.#ctx.storage.setAlarm(earliestMs)
    }
  }
}

/** Why an upgrade must be refused before it is accepted, as a close code and reason, or undefined if it may go on. */
function refusalBeforeUpgrade(
  clientId: string | undefined,
  verification: TokenVerification | undefined,
): { code: number; reason: string } | undefined {
  if (!clientId) return { code: CloseCode.missingClientId, reason: 'missing `id` query parameter' }
  if (!verification) return { code: CloseCode.invalidToken, reason: 'missing `token` query parameter' }
  if (!verification.ok) return { code: CloseCode.invalidToken, reason: `invalid token: ${verification.reason}` }
  return undefined
}

/** An event id as a sequence number; ids this object never issued sort before all of its own. */
function parseSeq(eventId: string): number {
  return /^\d{1,16}$/.test(eventId) ? Number(eventId) : -1
}

function send(socket: HibernatableWebSocket, message: string): void {
  try {
    socket.send(message)
  } catch {
    // Closed meanwhile: the client resumes from its last id.
  }
}
