/**
 * The demo's Worker, run under miniflare by `npm run demo -- --engine cloudflare` (see demo/cloudflare.mjs): the
 * package's Durable Object for every channel with the reference app's chat methods, the upgrade helper on /durable,
 * the app's token procedures on /rpc (signed here, with the Worker's SIGNING_KEY), and demo-only routes the demo
 * script calls from Node: /publish (the ticker), /demo/drop and /demo/stats. A real app publishes from its own code
 * and exposes no such routes.
 */
import { os } from '@orpc/server'
import { RPCHandler } from '@orpc/server/fetch'
import { CORSPlugin } from '@orpc/server/plugins'
import {
  createDurableIteratorObject,
  type DurableObjectNamespaceLike,
  type DurableObjectStateLike,
  publishDurableIteratorEvent,
  signDurableIteratorToken,
  upgradeDurableIteratorRequest,
} from '../src/cloudflare/index.js'
import {
  type ChatMessage,
  type ChatMethods,
  chatMethods,
  roomInput,
  symbolInput,
  type Tick,
} from '../src/server/reference-app.js'

interface Env {
  SIGNING_KEY: string
  TOKEN_TTL_SECONDS: number
  HUB: DurableObjectNamespaceLike
}

/** Tokens this Worker has signed, for the demo page's counter: kept in the isolate, which is enough for one demo. */
let tokensIssued = 0

/**
 * The app's token procedures, the same paths and types as the Node reference server's (`createReferenceRouter`):
 * tokens are signed in the Worker, so it needs no other server. A real app checks the caller's session here first.
 */
function tokenRouter(env: Env) {
  const signing = { signingKey: env.SIGNING_KEY, ttlSeconds: env.TOKEN_TTL_SECONDS }
  const counted = async <TToken>(token: Promise<TToken>) => {
    const signed = await token
    tokensIssued++
    return signed
  }
  return {
    chat: {
      onMessage: os
        .input(roomInput)
        .handler(({ input }) =>
          counted(
            signDurableIteratorToken<ChatMessage, ChatMethods>(
              { chn: `chat:${input.room}`, rpc: ['sendMessage'] },
              signing,
            ),
          ),
        ),
    },
    ticker: {
      onTick: os
        .input(symbolInput)
        .handler(({ input }) => counted(signDurableIteratorToken<Tick>({ chn: `ticker:${input.symbol}` }, signing))),
    },
  }
}

let rpcHandler: RPCHandler<Record<never, never>> | undefined

function tokenHandler(env: Env): RPCHandler<Record<never, never>> {
  // The page is served by Vite from another origin: let it call the token procedures, as the reference server does.
  rpcHandler ??= new RPCHandler(tokenRouter(env), { plugins: [new CORSPlugin({ origin: (origin) => origin || null })] })
  return rpcHandler
}

/** Close code for the demo's "drop connections": the client reconnects and resumes from its last event id. */
const SERVICE_RESTART = 1012

export class DemoHub extends createDurableIteratorObject((env: Env) => ({
  signingKey: env.SIGNING_KEY,
  // As the Node demo: events stay for two minutes, for clients that resume.
  resumeRetentionSeconds: 120,
  methods: chatMethods,
})) {
  readonly #ctx: DurableObjectStateLike

  constructor(ctx: DurableObjectStateLike, env: Env) {
    super(ctx, env)
    this.#ctx = ctx
  }

  override fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url)
    if (request.method === 'POST' && pathname === '/demo/drop') {
      let dropped = 0
      for (const socket of this.#ctx.getWebSockets()) {
        try {
          socket.close(SERVICE_RESTART, 'dropped by the demo')
          dropped++
        } catch {
          // Already closing.
        }
      }
      return Promise.resolve(Response.json({ dropped }))
    }
    if (pathname === '/demo/stats') {
      const openSockets = this.#ctx.getWebSockets().filter((socket) => socket.readyState === 1).length
      return Promise.resolve(Response.json({ openSockets }))
    }
    return super.fetch(request)
  }
}

/** Asks each channel's object (they are addressed by name) and adds up their answers. */
async function eachChannel(
  env: Env,
  channels: string[],
  path: string,
  method: string,
): Promise<Record<string, number>> {
  const totals: Record<string, number> = {}
  for (const channel of channels) {
    const response = await env.HUB.get(env.HUB.idFromName(channel)).fetch(
      new Request(`https://demo.internal${path}`, { method }),
    )
    const counts = (await response.json()) as Record<string, number>
    for (const [key, value] of Object.entries(counts)) totals[key] = (totals[key] ?? 0) + value
  }
  return totals
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname === '/durable') {
      return upgradeDurableIteratorRequest(request, { signingKey: env.SIGNING_KEY, namespace: env.HUB })
    }
    if (url.pathname.startsWith('/rpc/')) {
      const { matched, response } = await tokenHandler(env).handle(request, { prefix: '/rpc', context: {} })
      if (matched) return response
    }
    const channels = url.searchParams.getAll('channel')
    if (url.pathname === '/publish' && request.method === 'POST') {
      const { channel, payload } = (await request.json()) as { channel: string; payload: object }
      await publishDurableIteratorEvent(env.HUB, channel, payload)
      return new Response(null, { status: 204 })
    }
    if (url.pathname === '/demo/drop' && request.method === 'POST') {
      return Response.json(await eachChannel(env, channels, '/demo/drop', 'POST'))
    }
    if (url.pathname === '/demo/stats' && request.method === 'GET') {
      return Response.json({ ...(await eachChannel(env, channels, '/demo/stats', 'GET')), tokensIssued })
    }
    return new Response('Not found', { status: 404 })
  },
}
