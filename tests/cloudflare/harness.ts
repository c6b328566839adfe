/**
 * Runs the package's Durable Object in Cloudflare's workerd through miniflare, on 127.0.0.1 and a free port. The
 * test Worker (worker.ts) is bundled with its dependencies by rolldown first, since workerd resolves no packages.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Miniflare } from 'miniflare'
import { build } from 'rolldown'
import type { RefuseUpgradesWith, RemotePublishOptions } from '../../src/cloudflare/index.js'
import { SIGNING_KEY } from '../server/harness'
import type { ObjectActivity } from './worker'

export interface CloudflareHub {
  /** The upgrade endpoint, as a client's provider `url`. */
  durableUrl: string
  publish(channel: string, payload: object, options?: RemotePublishOptions): Promise<void>
  /** An id the channel's object draws when it is constructed: it changes when the object was evicted and woken. */
  instanceId(channel: string): Promise<string>
  /** How often the channel's object was constructed and ran `webSocketMessage` (asking wakes it). */
  activity(channel: string): Promise<ObjectActivity>
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

/**
 * Starts the test Worker; tokens must be signed with `signingKey` (default: the server tests' key). Refusals follow
 * `refuseUpgradesWith` in both the Worker's check and the object's.
 */
export async function startCloudflareHub({
  signingKey = SIGNING_KEY,
  refuseUpgradesWith = 'close-code',
}: {
  signingKey?: string
  refuseUpgradesWith?: RefuseUpgradesWith
} = {}): Promise<CloudflareHub> {
  const miniflare = new Miniflare({
    modules: true,
    script: await workerScript(),
    compatibilityDate: '2025-04-01',
    host: '127.0.0.1',
    port: 0,
    bindings: { SIGNING_KEY: signingKey, REFUSE_UPGRADES_WITH: refuseUpgradesWith },
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
    async activity(channel) {
      return (
        await fetch(`${httpUrl}/activity?channel=${encodeURIComponent(channel)}`)
      ).json() as Promise<ObjectActivity>
    },
    close: () => miniflare.dispose(),
  }
}
