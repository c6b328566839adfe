/**
 * The Worker the Cloudflare tests run under miniflare: the package's Durable Object for every channel, the
 * package's upgrade helper on /durable, and a test-only /publish route (a real app publishes from its own code).
 */
import {
  createDurableIteratorObject,
  type DurableObjectNamespaceLike,
  publishDurableIteratorEvent,
  type RemotePublishOptions,
  upgradeDurableIteratorRequest,
} from '../../src/cloudflare/index.js'
import { testHubOptions, testMethods } from './methods'

interface Env {
  SIGNING_KEY: string
  HUB: DurableObjectNamespaceLike
}

export class Hub extends createDurableIteratorObject((env: Env) => ({
  ...testHubOptions,
  signingKey: env.SIGNING_KEY,
  methods: testMethods,
})) {
  /** New each time workerd constructs the object, so a test can tell that it was evicted and woken. */
  readonly instanceId = crypto.randomUUID()

  override fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname === '/instance') return Promise.resolve(new Response(this.instanceId))
    return super.fetch(request)
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname === '/durable') {
      return upgradeDurableIteratorRequest(request, { signingKey: env.SIGNING_KEY, namespace: env.HUB })
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
    if (url.pathname === '/instance') {
      const channel = url.searchParams.get('channel') ?? ''
      return env.HUB.get(env.HUB.idFromName(channel)).fetch(new Request('https://object/instance'))
    }
    return new Response('Not found', { status: 404 })
  },
}
