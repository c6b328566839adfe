/**
 * A scripted durable endpoint for the connection core's race tests: sockets that open, refuse, stall and drop
 * exactly when a test says so (under fake timers), speaking the real oRPC peer protocol through a router the test
 * controls. Nothing of the package's own server is used: this is the other side of the wire, written for tests.
 */
import { implement, ORPCError, withEventMeta } from '@orpc/server'
import { StandardRPCHandler } from '@orpc/server/standard'
import { createServerPeerHandleRequestFn } from '@orpc/server/standard-peer'
import { ServerPeer } from '@orpc/standard-server-peer'
import { vi } from 'vitest'
import { durableIteratorContract } from '../../src/protocol/contract'

const CONNECTING = 0
const OPEN = 1
const CLOSED = 3

function event(type: string, fields: Record<string, unknown>): Event {
  return Object.assign(new Event(type), fields)
}

/** One socket the client made; the test decides what happens to it. */
export class FakeSocket extends EventTarget {
  static readonly CONNECTING = CONNECTING
  static readonly OPEN = OPEN
  static readonly CLOSING = 2
  static readonly CLOSED = CLOSED
  readonly CONNECTING = CONNECTING
  readonly OPEN = OPEN
  readonly CLOSING = 2
  readonly CLOSED = CLOSED
  readyState = CONNECTING
  binaryType = 'blob'
  /** Frames the client sent. */
  readonly sent: string[] = []
  /** Set when the client closed the socket. */
  closedByClient: { code: number; reason: string } | undefined
  private peer: ServerPeer | undefined

  constructor(
    readonly url: string,
    private readonly server: FakeDurableServer,
  ) {
    super()
  }

  get params(): URLSearchParams {
    return new URL(this.url).searchParams
  }

  /** Completes the upgrade: the socket opens and the server side starts answering. */
  accept(): void {
    this.readyState = OPEN
    const handleRequest = createServerPeerHandleRequestFn(new StandardRPCHandler(this.server.router), {
      context: { socket: this },
    })
    const peer = new ServerPeer((message) => {
      if (this.readyState === OPEN) this.dispatchEvent(event('message', { data: message }))
    })
    this.peer = peer
    this.server.peers.set(this, { peer, handleRequest })
    this.dispatchEvent(event('open', {}))
  }

  /**
   * Refuses the upgrade. With `httpStatus`, as `ws` in Node reports it (an error naming the status); without, as
   * a browser does (a bare error event, then close 1006).
   */
  refuse(httpStatus?: number): void {
    this.readyState = CLOSED
    if (httpStatus === undefined) this.dispatchEvent(new Event('error'))
    else {
      const error = new Error(`Unexpected server response: ${httpStatus}`)
      this.dispatchEvent(event('error', { error, message: error.message }))
    }
    this.dispatchEvent(event('close', { code: 1006, reason: '', wasClean: false }))
  }

  /** The server closes the socket (or the network drops it, with 1006). */
  drop(code = 1006, reason = ''): void {
    if (this.readyState === CLOSED) return
    this.readyState = CLOSED
    this.peer?.close()
    this.dispatchEvent(event('close', { code, reason, wasClean: code !== 1006 }))
  }

  send(data: string): void {
    if (this.readyState !== OPEN) throw new Error('Cannot send: the fake socket is not open')
    this.sent.push(data)
    const served = this.server.peers.get(this)
    if (!served || this.server.stalled.has(this)) return
    void served.peer.message(data, served.handleRequest)
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === CLOSED) return
    this.closedByClient = { code, reason }
    this.readyState = CLOSED
    this.peer?.close()
    this.dispatchEvent(event('close', { code, reason, wasClean: true }))
  }
}

interface Published {
  id: string
  payload: object
}

/** What the scripted server does with `updateToken` and `subscribe`; tests replace these. */
export interface ServerScript {
  updateToken(token: string): void | Promise<void>
  subscribe(): void
}

export class FakeDurableServer {
  readonly sockets: FakeSocket[] = []
  readonly peers = new Map<
    FakeSocket,
    { peer: ServerPeer; handleRequest: ReturnType<typeof createServerPeerHandleRequestFn> }
  >()
  /** Sockets whose frames go unanswered (half-open). */
  readonly stalled = new Set<FakeSocket>()
  readonly events: Published[] = []
  readonly tokenUpdates: string[] = []
  readonly subscribes: Array<{ lastEventId: string | undefined }> = []
  script: ServerScript = { updateToken: () => {}, subscribe: () => {} }
  private readonly live = new Set<(event: Published) => void>()
  private nextId = 1
  readonly router

  /** The constructor to pass as the connection's `WebSocket`. */
  readonly WebSocket

  constructor() {
    const server = this
    this.WebSocket = class extends FakeSocket {
      constructor(url: string) {
        super(url, server)
        server.sockets.push(this)
      }
    }
    const os = implement(durableIteratorContract).$context<{ socket: FakeSocket }>()
    this.router = os.router({
      subscribe: os.subscribe.handler(async function* ({ lastEventId, signal }) {
        server.subscribes.push({ lastEventId })
        server.script.subscribe()
        // Without a last event id, a subscription starts with the next event (as oRPC's server does).
        const queue: Published[] =
          lastEventId === undefined ? [] : server.events.filter((event) => Number(event.id) > Number(lastEventId))
        let wake: (() => void) | undefined
        const onEvent = (event: Published) => {
          queue.push(event)
          wake?.()
        }
        server.live.add(onEvent)
        try {
          while (!signal?.aborted) {
            const next = queue.shift()
            if (next) {
              yield withEventMeta(next.payload, { id: next.id })
              continue
            }
            await new Promise<void>((resolve) => {
              wake = resolve
              signal?.addEventListener('abort', () => resolve(), { once: true })
            })
            wake = undefined
          }
        } finally {
          server.live.delete(onEvent)
        }
      }),
      updateToken: os.updateToken.handler(async ({ input }) => {
        server.tokenUpdates.push(input.token)
        await server.script.updateToken(input.token)
      }),
      call: os.call.handler(({ input }) => ({ path: input.path, input: input.input })),
      ping: os.ping.handler(() => undefined),
    })
  }

  /** The socket made last (the current attempt). */
  get latest(): FakeSocket {
    const socket = this.sockets.at(-1)
    if (!socket) throw new Error('no socket has been made yet')
    return socket
  }

  /** Lets fake time pass (under the test's fake timers) until the client makes its next socket, at most a minute. */
  async nextSocket(): Promise<FakeSocket> {
    const count = this.sockets.length
    for (let waitedMs = 0; this.sockets.length === count; waitedMs += 50) {
      if (waitedMs > 60_000) throw new Error('no new socket within a minute')
      await vi.advanceTimersByTimeAsync(50)
    }
    return this.latest
  }

  publish(payload: object): string {
    const published = { id: String(this.nextId++), payload }
    this.events.push(published)
    for (const deliver of this.live) deliver(published)
    return published.id
  }

  /** Refuses `subscribe` with an oRPC error. */
  refuseSubscribe(code: 'FORBIDDEN' | 'UNAUTHORIZED' | 'INTERNAL_SERVER_ERROR', message: string): void {
    this.script.subscribe = () => {
      throw new ORPCError(code, { message })
    }
  }
}
