/**
 * Runs the package's Durable Object in Cloudflare's workerd through miniflare, on 127.0.0.1 and a free port. The
 * test Worker (worker.ts) is bundled with its dependencies by rolldown first, since workerd resolves no packages.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import type { RouterClient } from '@orpc/server'
import { Miniflare } from 'miniflare'
import { build } from 'rolldown'
import type {
  DurableIteratorGrant,
  RefuseUpgradesWith,
  RemotePublishOptions,
  TokenFormat,
} from '../../src/cloudflare/index.js'
import { SIGNING_KEY } from '../server/harness'
import type { ObjectActivity } from './worker'
import type { TokenEnv, WorkerTokenRouter } from './worker-tokens'

export interface CloudflareHub {
  /** The upgrade endpoint, as a client's provider `url`. */
  durableUrl: string
  /** The Worker's token procedures (worker-tokens.ts), oRPC over HTTP: tokens are signed inside the Worker. */
  rpcUrl: string
  /** A token for `grant`, signed by the Worker (its `token` procedure); `nowMs` in the past gives an expired one. */
  signToken(grant: DurableIteratorGrant, options?: { ttlSeconds?: number; nowMs?: number }): Promise<string>
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

export interface CloudflareHubOptions {
  /** The Worker's SIGNING_KEY: it signs its tokens and verifies upgrades with it. @default the server tests' key */
  signingKey?: string
  /** Refusals in both the Worker's check and the object's. @default 'close-code' */
  refuseUpgradesWith?: RefuseUpgradesWith
  /** Lifetime of the tokens the Worker's procedures issue. @default 60 */
  tokenTtlSeconds?: number
  /** @default 'jwt' */
  tokenFormat?: TokenFormat
  /** What the Worker's `room` procedure grants besides the channel. @default nothing */
  roomGrant?: TokenEnv['ROOM_GRANT']
}

/** Starts the test Worker on 127.0.0.1 and a free port. */
export async function startCloudflareHub({
  signingKey = SIGNING_KEY,
  refuseUpgradesWith = 'close-code',
  tokenTtlSeconds = 60,
  tokenFormat = 'jwt',
  roomGrant = {},
}: CloudflareHubOptions = {}): Promise<CloudflareHub> {
  const tokenEnv: TokenEnv = {
    SIGNING_KEY: signingKey,
    TOKEN_TTL_SECONDS: tokenTtlSeconds,
    TOKEN_FORMAT: tokenFormat,
    ROOM_GRANT: roomGrant,
  }
  const miniflare = new Miniflare({
    modules: true,
    script: await workerScript(),
    compatibilityDate: '2025-04-01',
    host: '127.0.0.1',
    port: 0,
    bindings: { ...tokenEnv, REFUSE_UPGRADES_WITH: refuseUpgradesWith },
    durableObjects: { HUB: { className: 'Hub', useSQLite: true } },
  })
  const url = await miniflare.ready
  const httpUrl = url.href.replace(/\/$/, '')
  const tokens: RouterClient<WorkerTokenRouter> = createORPCClient(new RPCLink({ url: `${httpUrl}/rpc` }))
  return {
    durableUrl: `${httpUrl.replace(/^http/, 'ws')}/durable`,
    rpcUrl: `${httpUrl}/rpc`,
    signToken: (grant, { ttlSeconds, nowMs } = {}) => tokens.token({ grant, ttlSeconds, nowMs }),
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
