import type { WebSocket } from 'ws'
import { CloseCode } from '../protocol/constants.js'
import type { SocketTransport } from '../protocol/in-memory/socket-transport.js'

// Event frames arrive as UTF-8 bytes, encoded once per event; they are still text frames on the wire.
const TEXT_FRAME = { binary: false } as const

/**
 * A `ws` socket as the hub's transport. Frames handed to `ws` but not yet written out are counted: a client that
 * falls more than `maxUnflushedFrames` behind is closed (1013) and resumes from its last event id, instead of the
 * hub buffering for it without bound.
 */
export class WsTransport implements SocketTransport {
  readonly frameEncoding = 'utf8'
  #unflushed = 0
  readonly #flushed = () => {
    this.#unflushed--
  }

  constructor(
    private readonly socket: WebSocket,
    private readonly maxUnflushedFrames: number,
  ) {}

  isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN
  }

  send(frame: string | Uint8Array): void {
    if (!this.isOpen()) return
    if (this.#unflushed >= this.maxUnflushedFrames) {
      this.close(CloseCode.tryAgainLater, 'subscriber too slow: resume from the last event id')
      return
    }
    this.#unflushed++
    this.socket.send(frame, TEXT_FRAME, this.#flushed)
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason)
    }
  }

  cut(): void {
    this.socket.terminate()
  }
}
