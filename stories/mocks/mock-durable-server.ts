import type { WebSocketHandlerConnection } from 'msw'
import type { ChatMessage } from './chat-api'
import { EventLog } from './event-log'
import { MockSocket } from './mock-socket'
import { issueMockToken, readMockToken } from './mock-token'

export interface MockDurableServerOptions {
  /**
   * How the token procedure answers: issue a token, hold the call until the story ends, refuse with 401
   * UNAUTHORIZED, or return a string that is not a token.
   * @default 'issue'
   */
  token?: 'issue' | 'hold' | 'unauthorized' | 'malformed'
  /** Lifetime of issued tokens, whole seconds. @default 300 */
  tokenTtlSeconds?: number
  /**
   * What the socket endpoint does with a valid token: serve it, or accept the socket and close it at once
   * with 4001 (token refused) or 4003 (forbidden), as the Node hub does.
   * @default 'serve'
   */
  socket?: 'serve' | 'refuse-token' | 'forbid'
  /** A ticker event this often, in milliseconds. @default 400 */
  tickMs?: number
}

/** What the mock server has seen, for the story to show. */
export interface MockDurableStats {
  socketsOpen: number
  socketsAccepted: number
  connectionsRefused: number
  tokensFetched: number
  tokenCallsHeld: number
  tokenUpdates: number
  /** False during an outage: connections are refused. */
  accepting: boolean
}

/** An oRPC RPC response: the HTTP status and the `json` of the body (the output, or the error). */
export interface RpcAnswer {
  status: number
  json: unknown
}

function rpcError(status: number, code: string, message: string): RpcAnswer {
  return { status, json: { defined: false, code, status, message } }
}

/**
 * A durable-iterator server that lives in the page: msw hands it the token calls and the sockets. One per
 * story, so every story starts from zero sockets and zero tokens.
 */
export class MockDurableServer {
  private readonly log = new EventLog<ChatMessage>()
  private readonly sockets = new Set<MockSocket>()
  private readonly listeners = new Set<() => void>()
  private readonly heldCalls = new Set<() => void>()
  private readonly ticker: ReturnType<typeof setInterval>
  private stats: MockDurableStats = {
    socketsOpen: 0,
    socketsAccepted: 0,
    connectionsRefused: 0,
    tokensFetched: 0,
    tokenCallsHeld: 0,
    tokenUpdates: 0,
    accepting: true,
  }

  constructor(private readonly options: MockDurableServerOptions = {}) {
    this.ticker = setInterval(
      () => this.log.publish((seq) => ({ seq, from: 'ticker', text: `tick ${seq}` })),
      options.tickMs ?? 400,
    )
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getStats = (): MockDurableStats => this.stats

  /** Answers the token procedure `chat.onMessage({ room })`. */
  async answerTokenCall(input: { room?: unknown } | undefined): Promise<RpcAnswer> {
    const room = typeof input?.room === 'string' ? input.room : 'lobby'
    switch (this.options.token ?? 'issue') {
      case 'hold':
        this.update({ tokenCallsHeld: this.stats.tokenCallsHeld + 1 })
        await new Promise<void>((resolve) => this.heldCalls.add(resolve))
        return rpcError(401, 'UNAUTHORIZED', 'The story ended.')
      case 'unauthorized':
        return rpcError(401, 'UNAUTHORIZED', 'Sign in to join this room.')
      case 'malformed':
        return { status: 200, json: 'not-a-durable-iterator-token' }
      default: {
        this.update({ tokensFetched: this.stats.tokensFetched + 1 })
        const ttlSeconds = this.options.tokenTtlSeconds ?? 300
        return { status: 200, json: issueMockToken(`chat:${room}`, ttlSeconds, ['sendMessage']) }
      }
    }
  }

  /** Takes a socket that msw intercepted: refuses it, accepts and closes it, or serves it. */
  connect({ client }: Pick<WebSocketHandlerConnection, 'client'>): void {
    if (!this.stats.accepting) {
      // Closed before it opened: what a browser sees when nothing answers.
      client.close(1006, 'connection refused')
      this.update({ connectionsRefused: this.stats.connectionsRefused + 1 })
      return
    }
    this.update({ socketsAccepted: this.stats.socketsAccepted + 1 })
    // Refusals accept the socket, then close it: a browser can read a close code, never an upgrade's HTTP status.
    const closeOnceOpen = (code: number, reason: string) => setTimeout(() => client.close(code, reason), 0)
    const claims = readMockToken(client.url.searchParams.get('token'))
    if (typeof claims === 'string') return void closeOnceOpen(4001, claims)
    if (this.options.socket === 'refuse-token') return void closeOnceOpen(4001, 'invalid token')
    if (this.options.socket === 'forbid') return void closeOnceOpen(4003, 'forbidden: not your room')
    const socket = new MockSocket(client, claims, {
      subscribe: (lastEventId, signal) => this.log.subscribe(lastEventId, signal),
      sendMessage: (text) => this.log.publish((seq) => ({ seq, from: 'you', text })),
      onTokenUpdate: () => this.update({ tokenUpdates: this.stats.tokenUpdates + 1 }),
      onClose: (closed) => {
        this.sockets.delete(closed)
        this.update({ socketsOpen: this.sockets.size })
      },
    })
    this.sockets.add(socket)
    this.update({ socketsOpen: this.sockets.size })
  }

  /** Drops every socket and refuses new ones until `endOutage()`. */
  startOutage(): void {
    this.update({ accepting: false })
    for (const socket of this.sockets) socket.close(1012, 'service restart')
  }

  endOutage(): void {
    this.update({ accepting: true })
  }

  /**
   * Ends the story. Its app may outlive it for a moment (the next story's handlers are already in place), so
   * the app's stream is ended for good: held token calls are refused with 401 and sockets closed with 4003,
   * both terminal for the client, so nothing of this story reaches the next story's mock server.
   */
  stop(): void {
    clearInterval(this.ticker)
    for (const release of this.heldCalls) release()
    this.heldCalls.clear()
    for (const socket of this.sockets) socket.close(4003, 'the story ended')
    this.listeners.clear()
  }

  private update(change: Partial<MockDurableStats>): void {
    this.stats = { ...this.stats, ...change }
    for (const listener of this.listeners) listener()
  }
}
