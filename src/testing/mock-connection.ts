import type { WebSocketData, WebSocketHandlerConnection } from 'msw'
import type { LiveSocket } from '../protocol/in-memory/live-socket.js'
import { MswTransport } from './msw-transport.js'

/**
 * One socket msw intercepted, from the moment it opens: frames that arrive before the mock accepted it (its token is
 * checked asynchronously) or while the mock is stalled wait, in order, for the socket they belong to.
 */
export class MockConnection {
  readonly transport: MswTransport
  #socket: LiveSocket | undefined
  readonly #waiting: WebSocketData[] = []
  #holding = true
  #inbound: Promise<unknown> = Promise.resolve()

  constructor(
    readonly client: WebSocketHandlerConnection['client'],
    onClosed: (connection: MockConnection) => void,
  ) {
    this.transport = new MswTransport(client)
    client.addEventListener('message', (event) => {
      if (this.#holding) this.#waiting.push(event.data)
      else this.#receive(event.data)
    })
    client.addEventListener('close', () => {
      this.transport.closed()
      onClosed(this)
    })
  }

  get socket(): LiveSocket | undefined {
    return this.#socket
  }

  /** The mock took the socket: frames flow to it, unless the mock is stalled. */
  accept(socket: LiveSocket, stalled: boolean): void {
    this.#socket = socket
    if (stalled) this.stall()
    else this.#release()
  }

  stall(): void {
    this.#holding = true
    this.transport.stall()
  }

  endStall(): void {
    this.transport.endStall()
    if (this.#socket) this.#release()
  }

  #release(): void {
    this.#holding = false
    for (const data of this.#waiting.splice(0)) this.#receive(data)
  }

  #receive(data: WebSocketData): void {
    // Decoding a Blob is asynchronous: chain it, so that frames reach the socket in the order they came.
    const frame = this.#inbound.then(() => toFrame(data))
    this.#inbound = frame
    frame.then((decoded) => this.#socket?.receive(decoded))
  }
}

/** A frame as the socket router reads it: text, or bytes. */
async function toFrame(data: WebSocketData): Promise<string | Uint8Array> {
  if (typeof data === 'string') return data
  if (data instanceof Blob) return new Uint8Array(await data.arrayBuffer())
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return new Uint8Array(data)
}
