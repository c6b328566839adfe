/**
 * The parts of the Workers runtime this entry uses, typed here so the package needs no `@cloudflare/workers-types`
 * (an app's own types for these are structurally compatible).
 */

/** A server-side WebSocket accepted with the Hibernation API. */
export interface HibernatableWebSocket {
  readonly readyState: number
  send(message: string | ArrayBuffer): void
  close(code?: number, reason?: string): void
  serializeAttachment(value: unknown): void
  deserializeAttachment(): unknown
}

/** The runtime's `WebSocketRequestResponsePair`: a frame the runtime answers itself, and its answer. */
export interface WebSocketRequestResponsePairLike {
  readonly request: string
  readonly response: string
}

export interface SqlCursor {
  toArray(): Record<string, unknown>[]
}

export interface DurableObjectStateLike {
  acceptWebSocket(socket: HibernatableWebSocket, tags?: string[]): void
  getWebSockets(tag?: string): HibernatableWebSocket[]
  /** Optional, so that test doubles and older runtimes may lack it. */
  setWebSocketAutoResponse?(pair?: WebSocketRequestResponsePairLike): void
  storage: {
    sql: { exec(query: string, ...bindings: unknown[]): SqlCursor }
    getAlarm(): Promise<number | null>
    setAlarm(scheduledTimeMs: number): Promise<void>
  }
}

export interface DurableObjectStubLike {
  fetch(request: Request): Promise<Response>
}

/** A Durable Object namespace binding (`env.ROOMS`); `TId` is the Workers runtime's `DurableObjectId`. */
export interface DurableObjectNamespaceLike<TId = unknown> {
  idFromName(name: string): TId
  get(id: TId): DurableObjectStubLike
}

const OPEN = 1

export function isOpen(socket: HibernatableWebSocket): boolean {
  return socket.readyState === OPEN
}

/** `new WebSocketPair()`: a client end to return in the 101 response, a server end to accept. */
export function createWebSocketPair(): { client: unknown; server: HibernatableWebSocket & { accept(): void } } {
  const Pair = (globalThis as unknown as { WebSocketPair?: new () => Record<0 | 1, unknown> }).WebSocketPair
  if (!Pair) throw new Error('react-durable-iterator/cloudflare runs only in the Workers runtime (no WebSocketPair).')
  const pair = new Pair()
  return { client: pair[0], server: pair[1] as HibernatableWebSocket & { accept(): void } }
}

/** The 101 response that hands the client end of a pair to the runtime. */
export function upgradeResponse(client: unknown): Response {
  return new Response(null, { status: 101, webSocket: client } as ResponseInit)
}
