/**
 * Runs the package's Durable Object in Cloudflare's workerd through miniflare, on 127.0.0.1 and a free port. The
 * test Worker (worker.ts) is bundled with its dependencies by rolldown first, since workerd resolves no packages.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Miniflare } from 'miniflare'
import { build } from 'rolldown'
import type { RemotePublishOptions } from '../../src/cloudflare/index.js'
import { SIGNING_KEY } from '../server/harness'

export interface CloudflareHub {
  /** The upgrade endpoint, as a client's provider `url`. */
  durableUrl: string
  publish(channel: string, payload: object, options?: RemotePublishOptions): Promise<void>
  /** An id the channel's object draws when it is constructed: it changes when the object was evicted and woken. */
  instanceId(channel: string): Promise<string>
  close(): Promise<void>
}

let bundled: Promise<string> | undefined

/** The test Worker as one ES module, built once per test file. */
function workerScript(): Promise<string> {
  bundled ??= (async () => {
    const result = await build({
      // A string, not a URL object: under jsdom `URL` is jsdom's, which fileURLToPath refuses.
      input: join(dirname(fileURLToPath(import.meta.url)), 'worker.ts'),
      platform: 'browser',
      write: false,
      output: { format: 'esm' },
      logLevel: 'silent',
    })
    const chunk = result.output.find((item) => item.type === 'chunk')
    if (chunk?.type !== 'chunk') throw new Error('rolldown produced no chunk for the test Worker')
    return chunk.code
  })()
  return bundled
}

/** Starts the test Worker; tokens must be signed with `signingKey` (default: the server tests' key). */
export async function startCloudflareHub({
  signingKey = SIGNING_KEY,
}: {
  signingKey?: string
} = {}): Promise<CloudflareHub> {
  const miniflare = new Miniflare({
    modules: true,
    script: await workerScript(),
    compatibilityDate: '2025-04-01',
    host: '127.0.0.1',
    port: 0,
    bindings: { SIGNING_KEY: signingKey },
    durableObjects: { HUB: { className: 'Hub', useSQLite: true } },
  })
  const url = await miniflare.ready
  const httpUrl = url.href.replace(/\/$/, '')
  return {
    durableUrl: `${httpUrl.replace(/^http/, 'ws')}/durable`,
    async publish(channel, payload, options) {
      const response = await fetch(`${httpUrl}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel, payload, options }),
      })
      if (response.status !== 204) throw new Error(`publish failed: ${response.status} ${await response.text()}`)
    },
    async instanceId(channel) {
      return (await fetch(`${httpUrl}/instance?channel=${encodeURIComponent(channel)}`)).text()
    },
    close: () => miniflare.dispose(),
  }
}
