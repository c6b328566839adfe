/**
 * The Worker the Cloudflare tests run under miniflare: the package's Durable Object for every channel, the
 * package's upgrade helper on /durable, token procedures signed in the Worker on /rpc (worker-tokens.ts), and a
 * test-only /publish route (a real app publishes from its own code).
 */
import {
  createDurableIteratorObject,
  type DurableObjectNamespaceLike,
  type DurableObjectStateLike,
  type HibernatableWebSocket,
  publishDurableIteratorEvent,
  type RefuseUpgradesWith,
  type RemotePublishOptions,
  upgradeDurableIteratorRequest,
} from '../../src/cloudflare/index.js'
import { testHubOptions, testMethods } from './methods'
import { handleTokenRequest, type TokenEnv } from './worker-tokens'

interface Env extends TokenEnv {
  REFUSE_UPGRADES_WITH: RefuseUpgradesWith
  HUB: DurableObjectNamespaceLike
}

/** How often the object's code ran, kept in its storage so the counts survive hibernation. */
export interface ObjectActivity {
  instanceId: string
  /** Times workerd constructed the object: more than once means it was evicted and woken. */
  constructed: number
  /** Calls of `webSocketMessage`: frames that woke or reached the object's code. */
  messages: number
}

export class Hub extends createDurableIteratorObject((env: Env) => ({
  ...testHubOptions,
  signingKey: env.SIGNING_KEY,
  methods: testMethods,
  refuseUpgradesWith: env.REFUSE_UPGRADES_WITH,
})) {
  /** New each time workerd constructs the object, so a test can tell that it was evicted and woken. */
  readonly instanceId = crypto.randomUUID()
  readonly #sql: DurableObjectStateLike['storage']['sql']

  constructor(ctx: DurableObjectStateLike, env: Env) {
    super(ctx, env)
    this.#sql = ctx.storage.sql
    this.#sql.exec('CREATE TABLE IF NOT EXISTS test_activity (name TEXT PRIMARY KEY, count INTEGER NOT NULL)')
    this.#count('constructed')
  }

  override fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname === '/instance') return Promise.resolve(new Response(this.instanceId))
    if (new URL(request.url).pathname === '/activity') return Promise.resolve(Response.json(this.#activity()))
    return super.fetch(request)
  }

  override webSocketMessage(socket: HibernatableWebSocket, message: string | ArrayBuffer): Promise<void> {
    this.#count('messages')
    return super.webSocketMessage(socket, message)
  }

  #count(name: string): void {
    this.#sql.exec(
      'INSERT INTO test_activity (name, count) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET count = count + 1',
      name,
    )
  }

  #activity(): ObjectActivity {
    const counts = Object.fromEntries(
      this.#sql
        .exec('SELECT name, count FROM test_activity')
        .toArray()
        .map((row) => [row.name, row.count]),
    )
    return { instanceId: this.instanceId, constructed: counts.constructed ?? 0, messages: counts.messages ?? 0 }
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname === '/durable') {
      return upgradeDurableIteratorRequest(request, {
        signingKey: env.SIGNING_KEY,
        namespace: env.HUB,
        refuseUpgradesWith: env.REFUSE_UPGRADES_WITH,
      })
    }
    if (url.pathname.startsWith('/rpc/')) {
      return (await handleTokenRequest(request, env)) ?? new Response('Not found', { status: 404 })
    }
    if (url.pathname === '/publish' && request.method === 'POST') {
      const { channel, payload, options } = (await request.json()) as {
        channel: string
        payload: object
        options?: RemotePublishOptions
      }
      await publishDurableIteratorEvent(env.HUB, channel, payload, options)
      return new Response(null, { status: 204 })
    }
    if (url.pathname === '/instance' || url.pathname === '/activity') {
      const channel = url.searchParams.get('channel') ?? ''
      return env.HUB.get(env.HUB.idFromName(channel)).fetch(new Request(`https://object${url.pathname}`))
    }
    return new Response('Not found', { status: 404 })
  },
}
