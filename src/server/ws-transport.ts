import type { WebSocket } from 'ws'
import { CloseCode } from '../protocol/constants.js'
import type { SocketTransport } from '../protocol/in-memory/socket-transport.js'

// Event frames arrive as UTF-8 bytes, encoded once per event; they are still text frames on the wire.
const TEXT_FRAME = { binary: false } as const

/**
 * A `ws` socket as the hub's transport. A client that reads too slowly is closed (1013) and resumes from its last
 * event id, instead of the hub buffering for it without bound: when what `ws` holds unsent exceeds
 * `maxQueuedFrames` frames of the size being sent. (Reading `bufferedAmount` is cheap; a write callback per frame
 * to count them exactly would cost more than the rest of the fan-out.)
 */
export class WsTransport implements SocketTransport {
  readonly frameEncoding = 'utf8'

  constructor(
    private readonly socket: WebSocket,
    private readonly maxQueuedFrames: number,
  ) {}

  isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN
  }

  send(frame: string | Uint8Array): void {
    if (!this.isOpen()) return
    const frameBytes = typeof frame === 'string' ? frame.length : frame.byteLength
    if (this.socket.bufferedAmount > this.maxQueuedFrames * frameBytes) {
      this.close(CloseCode.tryAgainLater, 'subscriber too slow: resume from the last event id')
      return
    }
    this.socket.send(frame, TEXT_FRAME)
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
