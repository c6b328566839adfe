// The demo's Durable Object engine: bundles demo/cloudflare-worker.ts with rolldown (workerd resolves no packages)
// and runs it in Cloudflare's workerd through miniflare, as tests/cloudflare/harness.ts does for the tests.
import { fileURLToPath } from 'node:url'
import { Miniflare } from 'miniflare'
import { build } from 'rolldown'

const CHANNELS = ['chat:lobby', 'ticker:ACME']

async function workerScript() {
  const result = await build({
    input: fileURLToPath(new URL('./cloudflare-worker.ts', import.meta.url)),
    platform: 'browser',
    write: false,
    output: { format: 'esm' },
    logLevel: 'silent',
  })
  const chunk = result.output.find((item) => item.type === 'chunk')
  if (chunk?.type !== 'chunk') throw new Error('rolldown produced no chunk for the demo Worker')
  return chunk.code
}

/**
 * Starts the demo Worker on `host` (a free port). It signs the tokens its procedures issue (`tokenTtlSeconds` long)
 * and verifies upgrades with `signingKey`, a string binding, as a Worker's secret is.
 * @param {{ host: string, signingKey: string, tokenTtlSeconds: number }} options
 */
export async function startCloudflareEngine({ host, signingKey, tokenTtlSeconds }) {
  const miniflare = new Miniflare({
    modules: true,
    script: await workerScript(),
    compatibilityDate: '2025-04-01',
    host,
    port: 0,
    bindings: { SIGNING_KEY: signingKey, TOKEN_TTL_SECONDS: tokenTtlSeconds },
    durableObjects: { HUB: { className: 'DemoHub', useSQLite: true } },
  })
  const httpUrl = (await miniflare.ready).href.replace(/\/$/, '')
  const channelQuery = CHANNELS.map((channel) => `channel=${encodeURIComponent(channel)}`).join('&')
  return {
    /** The app's token procedures (oRPC over HTTP), signed in the Worker. */
    rpcUrl: `${httpUrl}/rpc`,
    durableUrl: `${httpUrl.replace(/^http/, 'ws')}/durable`,
    /** @param {string} channel @param {object} payload */
    async publish(channel, payload) {
      const response = await fetch(`${httpUrl}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel, payload }),
      })
      if (response.status !== 204) throw new Error(`publish failed: ${response.status} ${await response.text()}`)
    },
    /** Closes every socket of the demo's two channels; they reconnect and resume. */
    async dropConnections() {
      const { dropped = 0 } = await (await fetch(`${httpUrl}/demo/drop?${channelQuery}`, { method: 'POST' })).json()
      return dropped
    },
    /** Open sockets of the demo's two channels, and the tokens the Worker has signed. */
    async stats() {
      const { openSockets = 0, tokensIssued = 0 } = await (await fetch(`${httpUrl}/demo/stats?${channelQuery}`)).json()
      return { openSockets, tokensIssued }
    },
    close: () => miniflare.dispose(),
  }
}
