/**
 * A client of token procedures built the way oRPC's own `DurableIteratorLinkPlugin`
 * (`@orpc/experimental-durable-iterator` 1.13.14, not on the npm registry) works, for testing that oRPC's client can
 * use this package's servers: a link plugin that treats a procedure's output as a stream token only when the response
 * carries `x-orpc-durable-iterator: 1`, reads the token's claims as a signed value (`<JSON>.<signature>`, split at
 * the last dot, never verified), and opens partysocket at `url?id=<uuid>&token=<token>` with oRPC's websocket link
 * and retry plugin: `subscribe` with no input (resumed by last event id), `call({ path, input })` and
 * `updateToken({ token })`.
 */
import { randomUUID } from 'node:crypto'
import { type ClientContext, createORPCClient, type NestedClient } from '@orpc/client'
import { RPCLink as FetchRPCLink } from '@orpc/client/fetch'
import { ClientRetryPlugin, type ClientRetryPluginContext } from '@orpc/client/plugins'
import type { StandardLinkOptions, StandardLinkPlugin } from '@orpc/client/standard'
import { RPCLink, type RPCLinkOptions } from '@orpc/client/websocket'
import type { ContractRouterClient } from '@orpc/contract'
import { WebSocket as ReconnectingWebSocket } from 'partysocket'
import { WebSocket } from 'ws'
import type { DurableIteratorContract } from '../../src/protocol/contract'

/** The claims oRPC's client reads from a token; it refuses a token without them. */
export interface ORPCTokenPayload {
  chn: string
  tags?: string[]
  att?: unknown
  rpc?: string[]
  iat: number
  exp: number
}

/** What a marked token procedure resolves to on oRPC's client: an iterator of events with remote methods. */
export interface ORPCStyleDurableIterator<T> extends AsyncIterableIterator<T> {
  token: string
  payload: ORPCTokenPayload
  socket: ReconnectingWebSocket
  /** `iterator.<method>(input)` on oRPC's client: a `call` frame with the path and the input as given. */
  call(path: [string, ...string[]], input?: unknown): Promise<unknown>
  /** Calls the token procedure again and sends `updateToken` (same channel and tags) or reconnects (otherwise). */
  refresh(): Promise<void>
}

const HEADER = 'x-orpc-durable-iterator'
const STREAM = Symbol('durable stream')

function stringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

/** Reads a signed value's claims without checking the signature, as oRPC's client does. */
export function parseORPCToken(token: unknown, path: readonly string[]): { token: string; payload: ORPCTokenPayload } {
  const fail = (why: string) => new Error(`Expected valid token for procedure ${path.join('.')}: ${why}`)
  if (typeof token !== 'string') throw fail(`got ${typeof token}`)
  const lastDot = token.lastIndexOf('.')
  if (lastDot === -1) throw fail('no signature')
  let payload: unknown
  try {
    payload = JSON.parse(token.slice(0, lastDot))
  } catch {
    throw fail('the part before the signature is not JSON')
  }
  const claims = payload as Record<string, unknown> | null
  const valid =
    typeof claims === 'object' &&
    claims !== null &&
    typeof claims.chn === 'string' &&
    typeof claims.iat === 'number' &&
    typeof claims.exp === 'number' &&
    (claims.tags === undefined || stringArray(claims.tags)) &&
    (claims.rpc === undefined || stringArray(claims.rpc))
  if (!valid) throw fail('missing claims')
  return { token, payload: payload as ORPCTokenPayload }
}

class DurableIteratorLinkLikePlugin<T extends ClientContext> implements StandardLinkPlugin<T> {
  readonly order = 1_500_000
  constructor(private readonly durableUrl: string) {}

  init(options: StandardLinkOptions<T>): void {
    options.interceptors ??= []
    options.clientInterceptors ??= []
    options.interceptors.push(async (call) => {
      const marked = { isToken: false }
      const next = () => call.next({ ...call, context: { ...call.context, [STREAM]: marked } })
      const output = await next()
      if (!marked.isToken) return output
      let current = parseORPCToken(output, call.path)
      const id = randomUUID()
      const socket = new ReconnectingWebSocket(
        () => {
          const url = new URL(this.durableUrl)
          url.searchParams.append('id', id)
          url.searchParams.append('token', current.token)
          return url.toString()
        },
        undefined,
        { WebSocket, minReconnectionDelay: 20, maxReconnectionDelay: 200 },
      )
      // Typed by this package's contract, which has oRPC's three procedures (and a ping this client never calls).
      const client: ContractRouterClient<DurableIteratorContract, ClientRetryPluginContext> = createORPCClient(
        new RPCLink<ClientRetryPluginContext>({
          websocket: socket as RPCLinkOptions<ClientRetryPluginContext>['websocket'],
          plugins: [new ClientRetryPlugin()],
        }),
      )
      const events = await client.subscribe(undefined, {
        context: { retry: Number.POSITIVE_INFINITY },
        lastEventId: call.lastEventId,
      })
      const stream: ORPCStyleDurableIterator<unknown> = {
        get token() {
          return current.token
        },
        get payload() {
          return current.payload
        },
        socket,
        next: () => events.next() as Promise<IteratorResult<unknown>>,
        async return() {
          socket.close()
          return { done: true, value: undefined }
        },
        [Symbol.asyncIterator]() {
          return this
        },
        call: (path, input) => client.call({ path, input }),
        async refresh() {
          const fresh = parseORPCToken(await next(), call.path)
          const sameStream =
            fresh.payload.chn === current.payload.chn &&
            JSON.stringify(fresh.payload.tags) === JSON.stringify(current.payload.tags)
          current = fresh
          if (sameStream) await client.updateToken({ token: fresh.token })
          else socket.reconnect()
        },
      }
      return stream
    })
    options.clientInterceptors.push(async (call) => {
      const response = await call.next()
      const marked = (call.context as Record<symbol, { isToken: boolean } | undefined>)[STREAM]
      if (marked) marked.isToken = response.headers[HEADER] === '1'
      return response
    })
  }
}

/** An oRPC HTTP client of `rpcUrl` whose marked token procedures open durable iterators on `durableUrl`. */
export function createORPCStyleClient<TClient extends NestedClient<ClientContext>>(
  rpcUrl: string,
  durableUrl: string,
): TClient {
  return createORPCClient<TClient>(
    new FetchRPCLink({ url: rpcUrl, plugins: [new DurableIteratorLinkLikePlugin(durableUrl)] }),
  )
}
