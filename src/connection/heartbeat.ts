import { HEARTBEAT_PROBE_FRAME } from '../protocol/heartbeat.js'

/** How a connection checks that a quiet socket is still alive. */
export interface HeartbeatOptions {
  /** Probe the socket after this long without any frame from the server. @default 15000 */
  intervalMs?: number
  /** A probe not answered within this long means the socket is dead: it is replaced. @default 5000 */
  timeoutMs?: number
}

export const DEFAULT_HEARTBEAT_OPTIONS: Required<HeartbeatOptions> = { intervalMs: 15_000, timeoutMs: 5_000 }

/**
 * Sends the heartbeat probe on an open socket, outside the RPC link: a fixed frame that a Durable Object answers
 * without waking and any oRPC server answers (see src/protocol/heartbeat.ts). Its answer is just another frame.
 */
export function sendHeartbeatProbe(socket: { readyState: number; send(data: string): void } | undefined): void {
  const OPEN = 1
  if (socket?.readyState === OPEN) socket.send(HEARTBEAT_PROBE_FRAME)
}

/**
 * Detects half-open sockets (no data, no close: a dead NAT entry, a stalled proxy). After `intervalMs`
 * of silence it sends a probe; its answer, or any other frame, proves the socket alive (`noteFrame`). Without
 * one within `timeoutMs`, `onDead` replaces the socket. A half-open socket is so replaced within
 * `intervalMs + timeoutMs` (20 s by default).
 */
export class Heartbeat {
  #timer: ReturnType<typeof setTimeout> | undefined
  #lastFrameAtMs = 0
  #running = false

  readonly #options: Required<HeartbeatOptions>
  readonly #probe: () => void
  readonly #onDead: () => void

  constructor(options: Required<HeartbeatOptions>, probe: () => void, onDead: () => void) {
    this.#options = options
    this.#probe = probe
    this.#onDead = onDead
  }

  start(): void {
    this.#running = true
    this.noteFrame()
    this.#arm(this.#options.intervalMs)
  }

  /** Any frame from the server counts as a sign of life. */
  noteFrame(): void {
    this.#lastFrameAtMs = Date.now()
  }

  stop(): void {
    this.#running = false
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #arm(delayMs: number): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => this.#check(), delayMs)
  }

  #check(): void {
    if (!this.#running) return
    const quietForMs = Date.now() - this.#lastFrameAtMs
    if (quietForMs < this.#options.intervalMs) {
      this.#arm(this.#options.intervalMs - quietForMs)
      return
    }
    const sentAtMs = Date.now()
    // The answer arrives as a frame like any other (success, or an error response from a server without `ping`).
    try {
      this.#probe()
    } catch {
      // The socket is closing under the probe: its close event replaces it.
    }
    this.#timer = setTimeout(() => {
      if (!this.#running) return
      if (this.#lastFrameAtMs >= sentAtMs) this.#check()
      else this.#onDead()
    }, this.#options.timeoutMs)
  }
}
