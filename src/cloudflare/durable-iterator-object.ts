import type { AnyRouter } from '@orpc/server'
import { Channel } from '../protocol/channel.js'
import { CloseCode } from '../protocol/constants.js'
import type { PublishOptions } from '../protocol/delivery-filter.js'
import { EventLog } from '../protocol/event-log.js'
import { type DurableIteratorHostOptions, resolveHostOptions } from '../protocol/host-options.js'
import { toKeyBytes } from '../protocol/signing-key.js'
import { SocketRpc } from '../protocol/socket-rpc.js'
import { type TokenVerification, verifyTokenWithKey } from '../protocol/token-verification.js'
import { judgeUpgrade } from '../protocol/upgrade-gate.js'
import { checkRefuseUpgradesWith, type RefuseUpgradesWith, refusalHttpStatus } from '../protocol/upgrade-refusal.js'
import { answerHeartbeatsWithoutWaking } from './heartbeat-auto-response.js'
import { ObjectSocket, type ObjectSocketOwner } from './object-socket.js'
import { PUBLISH_PATH, type PublishRequest } from './publish.js'
import {
  createWebSocketPair,
  type DurableObjectStateLike,
  type HibernatableWebSocket,
  upgradeResponse,
} from './runtime.js'
import { readSocketState, writeSocketState } from './socket-state.js'
import { SqliteEventStorage, SqliteFirstSubscribed } from './sqlite-storage.js'

/** The host options (events are kept in the object's SQLite storage), and how refusals are sent. */
export interface DurableIteratorObjectOptions<TMethods extends AnyRouter = Record<never, never>>
  extends DurableIteratorHostOptions<TMethods> {
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

/**
 * Makes a Durable Object class that serves the durable-iterator protocol for one channel (address it with
 * `idFromName(channel)`): the package's protocol core (src/protocol) over hibernatable sockets whose state lives in
 * their attachments, with the channel's events in the object's SQLite storage, and expiry closes from an alarm.
 * `options` may be a function of `env`, to read the signing key from a secret.
 */
export function createDurableIteratorObject<TEnv = unknown, TMethods extends AnyRouter = Record<never, never>>(
  options: DurableIteratorObjectOptions<TMethods> | ((env: TEnv) => DurableIteratorObjectOptions<TMethods>),
): DurableIteratorObjectClass<TEnv> {
  return class implements DurableIteratorObject {
    readonly #ctx: DurableObjectStateLike
    readonly #options: DurableIteratorObjectOptions<TMethods>
    readonly #key: Uint8Array
    readonly #refuseWith: RefuseUpgradesWith
    readonly #owner: ObjectSocketOwner
    readonly #maxFrameBytes: number
    /** The oRPC end of each socket this instance has handled; rebuilt after the object wakes. */
    readonly #rpcs = new WeakMap<HibernatableWebSocket, SocketRpc>()

    constructor(ctx: DurableObjectStateLike, env: TEnv) {
      this.#ctx = ctx
      this.#options = typeof options === 'function' ? options(env) : options
      this.#key = toKeyBytes(this.#options.signingKey)
      this.#refuseWith = checkRefuseUpgradesWith(this.#options.refuseUpgradesWith)
      // Heartbeats from idle clients are answered by the runtime: they neither wake this object nor bill its time.
      answerHeartbeatsWithoutWaking(ctx)
      const { retentionMs, maxEvents, maxFrameBytes } = resolveHostOptions(this.#options)
      this.#maxFrameBytes = maxFrameBytes
      const log = new EventLog(new SqliteEventStorage(ctx.storage.sql), { retentionMs, maxEvents })
      const channel = new Channel({ log, firstSubscribed: new SqliteFirstSubscribed(ctx.storage.sql), retentionMs })
      this.#owner = {
        channel,
        methods: this.#options.methods,
        verifyToken: (token) => this.#verify(token),
        publish: (payload, publishOptions) => this.publish(payload, publishOptions),
        claimsChanged: () => {
          this.#scheduleExpiry().catch(() => undefined)
        },
      }
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
      const objectSocket = this.#socket(socket)
      if (!objectSocket || objectSocket.expireIfDue(Date.now())) return
      let rpc = this.#rpcs.get(socket)
      if (!rpc) {
        rpc = new SocketRpc((frame) => socket.send(typeof frame === 'string' ? frame : frame.slice().buffer), {
          maxFrameBytes: this.#maxFrameBytes,
        })
        this.#rpcs.set(socket, rpc)
      }
      await rpc.receive(typeof message === 'string' ? message : new Uint8Array(message), objectSocket)
    }

    webSocketClose(socket: HibernatableWebSocket, code: number, reason: string): void {
      this.#rpcs.get(socket)?.close()
      try {
        // Complete the close handshake; codes a peer may not send (1005, 1006) are answered without one.
        if (code >= 1000 && code < 5000 && code !== 1005 && code !== 1006) socket.close(code, reason)
        else socket.close()
      } catch {
        // Already closed.
      }
    }

    webSocketError(socket: HibernatableWebSocket): void {
      this.#rpcs.get(socket)?.close()
    }

    async alarm(): Promise<void> {
      const nowMs = Date.now()
      for (const socket of this.#openSockets()) socket.expireIfDue(nowMs)
      await this.#scheduleExpiry()
    }

    publish(payload: object, publishOptions: PublishOptions = {}): void {
      this.#owner.channel.publish(payload, publishOptions, this.#openSockets(), Date.now())
    }

    async #accept(url: URL): Promise<Response> {
      // Checked again here: an object must not trust that every caller went through the Worker's check.
      const verdict = await judgeUpgrade(url, { verifyToken: (token) => this.#verify(token) })
      if (!verdict.ok && this.#refuseWith === 'http-status') {
        return new Response(verdict.reason, { status: refusalHttpStatus(verdict.code) })
      }
      const { client, server } = createWebSocketPair()
      this.#ctx.acceptWebSocket(server)
      if (!verdict.ok) {
        server.close(verdict.code, verdict.reason)
        return upgradeResponse(client)
      }
      try {
        writeSocketState(server, { clientId: verdict.clientId, claims: verdict.claims })
      } catch {
        // Attachments hold at most 16 KiB: a larger `att` cannot be kept across hibernation. The socket is accepted by
        // now, so even with 'http-status' this refusal is a close.
        server.close(CloseCode.forbidden, 'token claims too large for this hub')
        return upgradeResponse(client)
      }
      await this.#scheduleExpiry()
      return upgradeResponse(client)
    }

    #verify(token: string): Promise<TokenVerification> {
      return verifyTokenWithKey(token, this.#key, Date.now())
    }

    #socket(socket: HibernatableWebSocket): ObjectSocket | undefined {
      const state = readSocketState(socket)
      return state ? new ObjectSocket(this.#owner, socket, state) : undefined
    }

    #openSockets(): ObjectSocket[] {
      return this.#ctx.getWebSockets().flatMap((socket) => {
        const objectSocket = this.#socket(socket)
        return objectSocket?.isOpen() ? [objectSocket] : []
      })
    }

    /** Arms the alarm for the earliest token expiry among the open sockets. */
    async #scheduleExpiry(): Promise<void> {
      let earliestMs = Number.POSITIVE_INFINITY
      for (const socket of this.#openSockets()) earliestMs = Math.min(earliestMs, socket.claims.exp * 1000)
      if (!Number.isFinite(earliestMs)) return
      const current = await this.#ctx.storage.getAlarm()
      if (current === null || current > earliestMs || current < Date.now()) await this.#ctx.storage.setAlarm(earliestMs)
    }
  }
}
