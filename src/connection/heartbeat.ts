/** How a connection checks that a quiet socket is still alive. */
export interface HeartbeatOptions {
  /** Probe the socket after this long without any frame from the server. @default 15000 */
  intervalMs?: number
  /** A probe not answered within this long means the socket is dead: it is replaced. @default 5000 */
  timeoutMs?: number
}

export const DEFAULT_HEARTBEAT_OPTIONS: Required<HeartbeatOptions> = { intervalMs: 15_000, timeoutMs: 5_000 }

/**
 * Detects half-open sockets (no data, no close: a dead NAT entry, a stalled proxy). After `intervalMs`
 * of silence it sends a probe; any answer, or any other frame, proves the socket alive. Without one
 * within `timeoutMs`, `onDead` replaces the socket. A half-open socket is so replaced within
 * `intervalMs + timeoutMs` (20 s by default).
 */
export class Heartbeat {
  #timer: ReturnType<typeof setTimeout> | undefined
  #lastFrameAtMs = 0
  #running = false

  readonly #options: Required<HeartbeatOptions>
  readonly #probe: () => Promise<unknown>
  readonly #onDead: () => void

  constructor(options: Required<HeartbeatOptions>, probe: () => Promise<unknown>, onDead: () => void) {
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
    // Any answer, success or error response, proves the socket alive. A probe on a socket that gets
    // replaced is rejected when it closes; it is never aborted (that would send on a dead socket).
    this.#probe().then(
      () => this.noteFrame(),
      () => this.noteFrame(),
    )
    this.#timer = setTimeout(() => {
      if (!this.#running) return
      if (this.#lastFrameAtMs >= sentAtMs) this.#check()
      else this.#onDead()
    }, this.#options.timeoutMs)
  }
}
