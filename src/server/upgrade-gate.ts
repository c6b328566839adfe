import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { type WebSocket, WebSocketServer } from 'ws'
import type { UpgradeVerdict } from '../protocol/upgrade-gate.js'
import { type RefuseUpgradesWith, refusalHttpStatus } from '../protocol/upgrade-refusal.js'
import { writeHttpRefusal } from './http-refusal.js'

export interface UpgradeGateOptions {
  /** Frames larger than this are refused by `ws` with 1009. */
  maxPayloadBytes: number
  refuseWith: RefuseUpgradesWith
  /** Whether the upgrade may become a socket (counting refusals). */
  judge(url: URL): Promise<UpgradeVerdict>
  /** Takes a socket whose upgrade was judged fit. */
  onSocket(socket: WebSocket, verdict: Extract<UpgradeVerdict, { ok: true }>): void
}

/**
 * The Node hub's door: judges an HTTP upgrade before completing it (so a client cannot send before its session
 * exists), then completes it with `ws`, or refuses it with a close code after the upgrade or an HTTP status before.
 */
export class UpgradeGate {
  readonly #wss: WebSocketServer
  #closed = false

  constructor(private readonly options: UpgradeGateOptions) {
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes })
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#handle(request, socket, head).catch(() => socket.destroy())
  }

  /** Stops accepting upgrades; sockets already open are the hub's to close. */
  async close(): Promise<void> {
    this.#closed = true
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()))
  }

  async #handle(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (this.#closed) {
      socket.destroy()
      return
    }
    const verdict = await this.options.judge(new URL(request.url ?? '/', 'http://hub.invalid'))
    if (verdict.ok) {
      this.#accept(request, socket, head, (ws) => this.options.onSocket(ws, verdict))
    } else if (this.options.refuseWith === 'http-status') {
      writeHttpRefusal(socket, refusalHttpStatus(verdict.code), verdict.reason)
    } else {
      this.#accept(request, socket, head, (ws) => ws.close(verdict.code, verdict.reason))
    }
  }

  #accept(request: IncomingMessage, socket: Duplex, head: Buffer, onSocket: (ws: WebSocket) => void): void {
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      ws.on('error', () => {
        // Oversized or broken frames: ws closes the socket itself (e.g. 1009); nothing else to do.
      })
      onSocket(ws)
    })
  }
}
