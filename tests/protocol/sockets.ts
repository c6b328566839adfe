/** Plain sockets for the conformance suite, through the DOM WebSocket API that `ws` and msw's stand-in share. */
import { type Cleanup, type CloseResult, waitFor } from '../server/harness'

/** The part of the DOM WebSocket API the suite uses. */
interface PlainSocket {
  send(data: string): void
  close(): void
  addEventListener(
    type: 'open' | 'close' | 'message',
    listener: (event: { code?: number; reason?: string; data?: unknown }) => void,
  ): void
}

type SocketConstructor = new (url: string) => PlainSocket

/** An oRPC peer message as the suite reads one. */
export interface Frame {
  i?: string
  t?: number
  p?: { e?: string; d?: { json?: unknown }; s?: number }
}

/** A socket with promises of its opening and of its close, and the frames it received. */
export function openPlainSocket(
  cleanup: Cleanup,
  WebSocketImpl: unknown,
  url: string,
): {
  socket: PlainSocket
  opened: Promise<void>
  closed: Promise<CloseResult>
  frames: Frame[]
  nextFrame(matches: (frame: Frame) => boolean, what: string): Promise<Frame>
} {
  const socket = new (WebSocketImpl as SocketConstructor)(url)
  const frames: Frame[] = []
  socket.addEventListener('message', (event) => {
    if (typeof event.data === 'string') frames.push(JSON.parse(event.data) as Frame)
  })
  let didOpen = false
  const closed = new Promise<CloseResult>((resolve) => {
    socket.addEventListener('close', (event) => resolve({ code: event.code ?? 0, reason: event.reason ?? '' }))
  })
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => {
      didOpen = true
      resolve()
    })
    closed.then(({ code }) => {
      if (!didOpen) reject(new Error(`socket closed (${code}) before it opened`))
    })
  })
  opened.catch(() => undefined)
  cleanup.add(() => socket.close())
  const nextFrame = (matches: (frame: Frame) => boolean, what: string) =>
    waitFor(() => frames.find(matches), `a frame: ${what}`)
  return { socket, opened, closed, frames, nextFrame }
}
