/**
 * Shared helpers for the server tests: real sockets only. Clients are oRPC's own websocket client over
 * partysocket (with `ws` as the WebSocket implementation, since Node 20 has none), or a plain `ws` socket
 * where only the close code matters.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createORPCClient, getEventMeta } from '@orpc/client'
import { ClientRetryPlugin, type ClientRetryPluginContext } from '@orpc/client/plugins'
import { RPCLink, type RPCLinkOptions } from '@orpc/client/websocket'
import type { ContractRouterClient } from '@orpc/contract'
import type { AnyRouter } from '@orpc/server'
import { WebSocket as ReconnectingWebSocket } from 'partysocket'
import { WebSocket } from 'ws'
import type { DurableIteratorContract } from '../../src/protocol/contract'
import { createDurableIteratorHub, type DurableIteratorHub, type DurableIteratorHubOptions } from '../../src/server'

/** 48 bytes: long enough for HS256. */
export const SIGNING_KEY = 'test-signing-key-0123456789-abcdefghijklmnopqrstu'

export type DurableClient = ContractRouterClient<DurableIteratorContract, ClientRetryPluginContext>

/** Polls `check` until it returns something other than `undefined`/`false`, or fails with `message`. */
export async function waitFor<T>(
  check: () => T | undefined | false,
  message: string | (() => string),
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (true) {
    const result = check()
    if (result !== undefined && result !== false) return result
    if (Date.now() > deadline) {
      throw new Error(`waitFor timed out after ${timeoutMs} ms: ${typeof message === 'function' ? message() : message}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

export function socketUrl(durableUrl: string, params: { id?: string; token?: string }): string {
  const url = new URL(durableUrl)
  if (params.id !== undefined) url.searchParams.set('id', params.id)
  if (params.token !== undefined) url.searchParams.set('token', params.token)
  return url.toString()
}

/** Tracks everything a test opens so `closeAll()` in afterEach can shut it down. */
export class Cleanup {
  private readonly tasks: (() => Promise<unknown> | unknown)[] = []

  add(task: () => Promise<unknown> | unknown): void {
    this.tasks.push(task)
  }

  async run(): Promise<void> {
    const tasks = this.tasks.splice(0).reverse()
    for (const task of tasks) {
      try {
        await task()
      } catch {
        // Cleanup of an already-closed resource; nothing to do.
      }
    }
  }
}

export interface DurableConnection {
  clientId: string
  socket: ReconnectingWebSocket
  client: DurableClient
}

/**
 * Opens an oRPC websocket client over partysocket to the hub, with the given client id and token. `WebSocketImpl`:
 * `ws` by default (Node 20 has no global WebSocket); the global one where msw intercepts it.
 */
export function openDurableClient(
  cleanup: Cleanup,
  durableUrl: string,
  token: string,
  clientId: string = randomUUID(),
  WebSocketImpl: unknown = WebSocket,
): DurableConnection {
  const socket = new ReconnectingWebSocket(socketUrl(durableUrl, { id: clientId, token }), undefined, {
    WebSocket: WebSocketImpl,
    minReconnectionDelay: 20,
    maxReconnectionDelay: 100,
    reconnectionDelayGrowFactor: 1.2,
  })
  const link = new RPCLink<ClientRetryPluginContext>({
    // partysocket types readyState as number, the DOM as 0 | 1 | 2 | 3: the same values at runtime.
    websocket: socket as RPCLinkOptions<ClientRetryPluginContext>['websocket'],
    plugins: [new ClientRetryPlugin({ default: { retryDelay: 20 } })],
  })
  const client: DurableClient = createORPCClient(link)
  cleanup.add(() => socket.close())
  return { clientId, socket, client }
}

export interface ReceivedEvent<T = unknown> {
  id: string | undefined
  value: T
}

/** Consumes an event iterator in the background, recording each value with its event id. */
export class EventCollector<T = unknown> {
  readonly events: ReceivedEvent<T>[] = []
  error: unknown
  done = false
  private readonly loop: Promise<void>

  constructor(private readonly iterator: AsyncIterator<unknown, void, unknown>) {
    this.loop = (async () => {
      try {
        while (true) {
          const result = await iterator.next()
          if (result.done) break
          this.events.push({ id: getEventMeta(result.value)?.id, value: result.value as T })
        }
      } catch (error) {
        this.error = error
      } finally {
        this.done = true
      }
    })()
  }

  get values(): T[] {
    return this.events.map((event) => event.value)
  }

  /** Waits until at least `count` events arrived; fails early if the iterator errored or ended. */
  async waitForCount(count: number, what = 'events'): Promise<ReceivedEvent<T>[]> {
    await waitFor(
      () => {
        if (this.events.length >= count) return true
        if (this.done) throw new Error(`iterator ended before ${count} ${what} arrived: ${String(this.error)}`)
        return false
      },
      () => `expected ${count} ${what}, got ${this.events.length}`,
    )
    return this.events
  }

  async stop(): Promise<void> {
    await this.iterator.return?.().catch(() => undefined)
    await this.loop
  }
}

/** Subscribes and starts collecting; the subscription is stopped on cleanup. */
export async function subscribe<T = unknown>(
  cleanup: Cleanup,
  connection: DurableConnection,
  context: ClientRetryPluginContext = {},
): Promise<EventCollector<T>> {
  const iterator = await connection.client.subscribe(undefined, { context })
  const collector = new EventCollector<T>(iterator)
  cleanup.add(() => collector.stop())
  return collector
}

export interface CloseResult {
  code: number
  reason: string
}

/** A plain `ws` socket with a promise of its close event, for tests of close codes. */
export function openRawSocket(
  cleanup: Cleanup,
  url: string,
  options?: ConstructorParameters<typeof WebSocket>[2],
): { socket: WebSocket; closed: Promise<CloseResult>; opened: Promise<void> } {
  const socket = new WebSocket(url, options)
  socket.on('error', () => {
    // Errors surface as a close event, which the tests await.
  })
  const closed = new Promise<CloseResult>((resolve) => {
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  })
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('close', (code) => reject(new Error(`socket closed (${code}) before it opened`)))
  })
  opened.catch(() => undefined)
  cleanup.add(() => socket.terminate())
  return { socket, closed, opened }
}

export interface HubServer<TMethods extends AnyRouter> {
  hub: DurableIteratorHub<TMethods>
  durableUrl: string
  close(): Promise<void>
}

/** Mounts a hub with the given options on its own http server at 127.0.0.1 on a free port. */
export async function startHubServer<TMethods extends AnyRouter = Record<never, never>>(
  options: Partial<DurableIteratorHubOptions<TMethods>> = {},
): Promise<HubServer<TMethods>> {
  const hub = createDurableIteratorHub<TMethods>({ signingKey: SIGNING_KEY, ...options })
  const server: Server = createServer((_request, response) => {
    response.statusCode = 404
    response.end()
  })
  server.on('upgrade', (request, socket, head) => hub.handleUpgrade(request, socket, head))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    hub,
    durableUrl: `ws://127.0.0.1:${port}/durable`,
    async close() {
      await hub.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
