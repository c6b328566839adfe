import { WebSocket } from 'ws'
import type { WebSocketConstructor } from '../../src'

/** A `ws` WebSocket class for the client's `WebSocket` option that records every text frame sent and received. */
export function recordingWebSocket(): { WebSocket: WebSocketConstructor; sent: string[]; received: string[] } {
  const sent: string[] = []
  const received: string[] = []
  class RecordingWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args)
      this.on('message', (data, isBinary) => {
        if (!isBinary) received.push(data.toString())
      })
    }

    override send(data: unknown, ...rest: unknown[]): void {
      if (typeof data === 'string') sent.push(data)
      ;(super.send as (...args: unknown[]) => void)(data, ...rest)
    }
  }
  return { WebSocket: RecordingWebSocket, sent, received }
}
