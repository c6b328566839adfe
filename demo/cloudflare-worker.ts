/**
 * The demo's Worker, run under miniflare by `npm run demo -- --engine cloudflare` (see demo/cloudflare.mjs): the
 * package's Durable Object for every channel with the reference app's chat methods, the upgrade helper on /durable,
 * and demo-only routes the demo script calls from Node: /publish (the ticker), /demo/drop and /demo/stats.
 * A real app publishes from its own code and exposes no such routes.
 */
import {
  createDurableIteratorObject,
  type DurableObjectNamespaceLike,
  type DurableObjectStateLike,
  publishDurableIteratorEvent,
  upgradeDurableIteratorRequest,
} from '../src/cloudflare/index.js'
import { chatMethods } from '../src/server/reference-app.js'

interface Env {
  SIGNING_KEY: string
  HUB: DurableObjectNamespaceLike
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
      return Response.json(await eachChannel(env, channels, '/demo/stats', 'GET'))
    }
    return new Response('Not found', { status: 404 })
  },
}
