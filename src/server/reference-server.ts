import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { RPCHandler } from '@orpc/server/node'
import { CORSPlugin } from '@orpc/server/plugins'
import type { DurableIteratorHubStats } from '../protocol/hub-stats.js'
import type { SigningKey } from '../protocol/signing-key.js'
import { DurableIteratorTokenPlugin } from '../protocol/token-header-plugin.js'
import type { TokenFormat } from '../protocol/token-signing.js'
import type { RefuseUpgradesWith } from '../protocol/upgrade-refusal.js'
import { createDurableIteratorHub, type DurableIteratorHub } from './hub.js'
import {
  type ChatMethods,
  chatMethods,
  createReferenceRouter,
  type ReferenceChannels,
  type Tick,
} from './reference-app.js'

export interface ReferenceServerOptions {
  /** @default '127.0.0.1' */
  host?: string
  /** 0 picks a free port. @default 0 */
  port?: number
  /** @default 48 random bytes, new each start (tokens from an earlier start are then refused) */
  signingKey?: SigningKey
  /** @default 60 */
  tokenTtlSeconds?: number
  /** @default 300 */
  resumeRetentionSeconds?: number
  /** How often the ticker publishes to a symbol with listeners. @default 200 */
  tickIntervalMs?: number
  /** Open sockets accepted at most (see the hub's `maxSockets`). @default 10000 */
  maxSockets?: number
  /** Format of the tokens the token procedures return; `'orpc'` for oRPC's own client. @default 'jwt' */
  tokenFormat?: TokenFormat
  /** How the hub refuses bad upgrades (see the hub's `refuseUpgradesWith`). @default 'close-code' */
  refuseUpgradesWith?: RefuseUpgradesWith
  /**
   * A request (or upgrade) whose headers have not all arrived after this long is cut, so slow or
   * incomplete upgrades cannot hold connections open.
   * @default 10000
   */
  headersTimeoutMs?: number
}

export interface ReferenceServer {
  /** oRPC HTTP endpoint of the example router (`chat.onMessage`, `ticker.onTick`). */
  rpcUrl: string
  /** WebSocket endpoint of the durable-iterator hub. */
  durableUrl: string
  hub: DurableIteratorHub<ChatMethods, ReferenceChannels>
  /** The hub's `publish`: chat rooms take chat messages, tickers ticks, other channels any object. */
  publish: DurableIteratorHub<ChatMethods, ReferenceChannels>['publish']
  stats(): DurableIteratorHubStats
  /**
   * Cuts every connection and stops listening for `downtimeMs`, then listens again on the same port with
   * the same hub: a restart as clients see it, with retained events still there for them to resume from.
   */
  interrupt(downtimeMs: number): Promise<void>
  close(): Promise<void>
}

const RPC_PREFIX = '/rpc'
const DURABLE_PATH = '/durable'

/**
 * Starts the example app on one Node http server: oRPC over HTTP at `/rpc`, the hub at `/durable`.
 * It backs the demo and the tests, and is a template for self-hosting on one machine.
 */
export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const { host = '127.0.0.1', port = 0, tickIntervalMs = 200 } = options
  const signingKey = options.signingKey ?? randomBytes(48)
  const hub = createDurableIteratorHub<ChatMethods, ReferenceChannels>({
    signingKey,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 60,
    resumeRetentionSeconds: options.resumeRetentionSeconds ?? 300,
    methods: chatMethods,
    maxSockets: options.maxSockets,
    tokenFormat: options.tokenFormat,
    refuseUpgradesWith: options.refuseUpgradesWith,
  })

  const tickerSymbols = new Map<string, { price: number; seq: number }>()
  const router = createReferenceRouter(hub, (symbol) => {
    if (!tickerSymbols.has(symbol)) tickerSymbols.set(symbol, { price: 100, seq: 0 })
  })
  const ticker = setInterval(() => {
    for (const [symbol, state] of tickerSymbols) {
      if (hub.subscriberCount(`ticker:${symbol}`) === 0) continue
      state.seq++
      state.price = Math.max(1, Math.round((state.price + (Math.random() - 0.5) * 2) * 100) / 100)
      const tick: Tick = { symbol, price: state.price, seq: state.seq, atMs: Date.now() }
      hub.publish(`ticker:${symbol}`, tick)
    }
  }, tickIntervalMs)
  ticker.unref()

  const rpcHandler = new RPCHandler(router, {
    plugins: [
      // The reference server is for local use: any origin may call its token procedures.
      new CORSPlugin({ origin: (origin) => origin || null }),
      // Marks token responses as oRPC's handler plugin does, so oRPC's own client can use this server too.
      new DurableIteratorTokenPlugin({ signingKey }),
    ],
  })
  const headersTimeoutMs = options.headersTimeoutMs ?? 10_000
  const serverOptions = {
    headersTimeout: headersTimeoutMs,
    requestTimeout: Math.max(headersTimeoutMs, 30_000),
    // Node checks those timeouts on this interval (30 s by default): check often enough to honour them.
    connectionsCheckingInterval: Math.min(1000, headersTimeoutMs),
  }
  const server = createServer(serverOptions, async (request: IncomingMessage, response: ServerResponse) => {
    const { matched } = await rpcHandler.handle(request, response, { prefix: RPC_PREFIX, context: {} })
    if (!matched) {
      response.statusCode = 404
      response.end('Not found: the oRPC endpoint is /rpc and the durable-iterator socket is /durable')
    }
  })
  server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname === DURABLE_PATH) {
      hub.handleUpgrade(request, socket, head)
    } else {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n')
    }
  })

  let stopped = false
  const listen = (listenPort: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(listenPort, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  await listen(port)
  const address = server.address() as AddressInfo
  const origin = `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`

  return {
    rpcUrl: `http://${origin}${RPC_PREFIX}`,
    durableUrl: `ws://${origin}${DURABLE_PATH}`,
    hub,
    publish: hub.publish,
    stats: hub.stats,
    async interrupt(downtimeMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      hub.dropConnections()
      server.closeAllConnections()
      await closed
      await new Promise((resolve) => setTimeout(resolve, downtimeMs))
      if (!stopped) await listen(address.port)
    },
    async close() {
      stopped = true
      clearInterval(ticker)
      await hub.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
