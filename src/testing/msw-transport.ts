import type { WebSocketHandlerConnection } from 'msw'
import type { SocketTransport } from '../protocol/in-memory/socket-transport.js'

type MswClient = WebSocketHandlerConnection['client']

/** A close without a close frame, as a dropped network connection looks to a browser. */
export const ABNORMAL_CLOSURE = 1006

/**
 * A socket msw intercepted, as the mock's transport. It can stall: while stalled, nothing goes out (frames wait,
 * in order) and what comes in waits too, as with a server that stopped answering without closing.
 */
export class MswTransport implements SocketTransport {
  readonly frameEncoding = 'text'
  #open = true
  #stalledOut: (string | Uint8Array)[] | undefined

  constructor(private readonly client: MswClient) {}

  isOpen(): boolean {
    return this.#open
  }

  send(frame: string | Uint8Array): void {
    if (!this.#open) return
    if (this.#stalledOut) this.#stalledOut.push(frame)
    else this.client.send(frame)
  }

  close(code: number, reason: string): void {
    if (!this.#open) return
    this.#open = false
    this.client.close(code, reason)
  }

  cut(): void {
    this.close(ABNORMAL_CLOSURE, '')
  }

  /** The client closed the socket (or it closed by our hand). */
  closed(): void {
    this.#open = false
  }

  stall(): void {
    this.#stalledOut ??= []
  }

  /** Sends what waited, in order. */
  endStall(): void {
    const waiting = this.#stalledOut ?? []
    this.#stalledOut = undefined
    for (const frame of waiting) this.send(frame)
  }
}
