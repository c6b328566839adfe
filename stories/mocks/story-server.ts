import { os, type } from '@orpc/server'
import { createDurableIteratorMock, type DurableIteratorMethodContext } from '../../src/testing'
import { type ChatMessage, MOCK_DURABLE_URL } from './chat-api'

export interface StoryServerOptions {
  /**
   * How the app's token procedure answers: issue a token, hold the call until the story ends, refuse with 401
   * UNAUTHORIZED, or return a string that is not a token.
   * @default 'issue'
   */
  token?: 'issue' | 'hold' | 'unauthorized' | 'malformed'
  /** Lifetime of issued tokens, whole seconds. @default 300 */
  tokenTtlSeconds?: number
  /**
   * What the socket endpoint does with a valid token: serve it, or accept the socket and close it at once with 4001
   * (token refused) or 4003 (forbidden), as the hubs do.
   * @default 'serve'
   */
  socket?: 'serve' | 'refuse-token' | 'forbid'
  /** A ticker event this often, in milliseconds. @default 400 */
  tickMs?: number
}

/** The story's side of the token procedure, which the hubs leave to the app. */
export interface TokenCounters {
  tokensFetched: number
  tokenCallsHeld: number
}

/** An oRPC RPC response: the HTTP status and the `json` of the body (the output, or the error). */
export interface RpcAnswer {
  status: number
  json: unknown
}

function rpcError(status: number, code: string, message: string): RpcAnswer {
  return { status, json: { defined: false, code, status, message } }
}

const CHANNEL = 'chat:lobby'

/**
 * What a story's app talks to: the package's testing mock for the stream (msw serves its sockets), plus the app's
 * token procedure and a ticker, as a real app's server would have them. One per story run.
 */
export class StoryServer {
  /** Consecutive, so the view can tell that no event went missing or came twice. */
  #seq = 0
  readonly #heldCalls = new Set<() => void>()
  readonly #ticker: ReturnType<typeof setInterval>
  tokens: TokenCounters = { tokensFetched: 0, tokenCallsHeld: 0 }
  /** False during an outage: connections are refused. */
  accepting = true
  readonly mock = createDurableIteratorMock({
    url: MOCK_DURABLE_URL,
    methods: {
      sendMessage: os
        .$context<DurableIteratorMethodContext>()
        .input(type<{ text: string }>())
        .handler(({ context, input }) => context.publish(this.#message('you', input.text))),
    },
  })

  constructor(private readonly options: StoryServerOptions = {}) {
    if (options.socket === 'refuse-token') this.mock.refuseConnections(4001, 'invalid token')
    if (options.socket === 'forbid') this.mock.refuseConnections(4003, 'forbidden: not your room')
    this.#ticker = setInterval(
      () => void this.mock.publish(CHANNEL, this.#message('ticker', `tick ${this.#seq + 1}`)),
      options.tickMs ?? 400,
    )
  }

  /** Answers the token procedure `chat.onMessage({ room })`. */
  async answerTokenCall(input: { room?: unknown } | undefined): Promise<RpcAnswer> {
    const room = typeof input?.room === 'string' ? input.room : 'lobby'
    switch (this.options.token ?? 'issue') {
      case 'hold':
        this.tokens = { ...this.tokens, tokenCallsHeld: this.tokens.tokenCallsHeld + 1 }
        await new Promise<void>((resolve) => this.#heldCalls.add(resolve))
        return rpcError(401, 'UNAUTHORIZED', 'The story ended.')
      case 'unauthorized':
        return rpcError(401, 'UNAUTHORIZED', 'Sign in to join this room.')
      case 'malformed':
        return { status: 200, json: 'not-a-durable-iterator-token' }
      default: {
        this.tokens = { ...this.tokens, tokensFetched: this.tokens.tokensFetched + 1 }
        const ttlSeconds = this.options.tokenTtlSeconds ?? 300
        return { status: 200, json: await this.mock.issueToken(`chat:${room}`, { ttlSeconds, rpc: ['sendMessage'] }) }
      }
    }
  }

  /** Drops every socket and refuses new ones (as a network failure) until `endOutage()`. */
  async startOutage(): Promise<void> {
    this.accepting = false
    this.mock.refuseConnections('network')
    await this.mock.dropConnections()
  }

  endOutage(): void {
    this.accepting = true
    this.mock.acceptConnections()
  }

  /**
   * Ends the story. Its app may outlive it for a moment (the next story's handlers are already in place), so the
   * app's stream is ended for good: held token calls are refused with 401 and sockets closed with 4003, both terminal
   * for the client, so nothing of this story reaches the next story's server.
   */
  async stop(): Promise<void> {
    clearInterval(this.#ticker)
    for (const release of this.#heldCalls) release()
    this.#heldCalls.clear()
    await this.mock.close(4003, 'the story ended')
  }

  #message(from: string, text: string): ChatMessage {
    return { seq: ++this.#seq, from, text }
  }
}
