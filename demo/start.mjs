#!/usr/bin/env node
// The demo: the reference server with short-lived tokens, and a React page that streams through it.
// Run by `npm start` (which builds the package first). Flags: --port (page, default 5173; 0 picks a free
// one), --host (default 127.0.0.1), --token-ttl (seconds, default 15), --engine (node, the default: the reference
// server's hub; cloudflare: the package's Durable Object in workerd under miniflare, `npm run demo -- --engine
// cloudflare`, whose Worker also signs the tokens), --tabs (shared, the default: the tabs of the browser share one
// socket per stream; separate: one per tab).
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import react from '@vitejs/plugin-react'
import { createServer } from 'vite'
import { startReferenceServer } from '../dist/server.js'
import { controlApi } from './control-api.mjs'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5173' },
    host: { type: 'string', default: '127.0.0.1' },
    'token-ttl': { type: 'string', default: '15' },
    engine: { type: 'string', default: 'node' },
    tabs: { type: 'string', default: 'shared' },
  },
})
const port = Number(values.port)
const tokenTtlSeconds = Number(values['token-ttl'])
const engine = values.engine
const shareAcrossTabs = values.tabs === 'shared'
if (
  !Number.isInteger(port) ||
  port < 0 ||
  !(tokenTtlSeconds > 0) ||
  !['node', 'cloudflare'].includes(engine) ||
  !['shared', 'separate'].includes(values.tabs)
) {
  console.error(
    'usage: node demo/start.mjs [--port 5173] [--host 127.0.0.1] [--token-ttl 15] [--engine node|cloudflare] [--tabs shared|separate]',
  )
  process.exit(2)
}

// The Node engine is the reference server; the Durable Object engine is a Worker that also serves the token
// procedures, signing with its own key binding (a string, as a Worker's secret is).
const server =
  engine === 'node'
    ? await startReferenceServer({
        host: values.host,
        port: 0,
        tokenTtlSeconds,
        signingKey: randomBytes(48),
        resumeRetentionSeconds: 120,
      })
    : undefined
const cloudflare =
  engine === 'cloudflare'
    ? await (await import('./cloudflare.mjs')).startCloudflareEngine({
        host: values.host,
        signingKey: randomBytes(48).toString('base64'),
        tokenTtlSeconds,
      })
    : undefined
const { rpcUrl, durableUrl } = cloudflare ?? server
const engineLabel = cloudflare ? 'Cloudflare Durable Object (miniflare)' : 'Node reference server'

// On the Durable Object engine the demo publishes the ticker itself, through the Worker, as an app would from its
// own code: a random walk on ticker:ACME every 200 ms.
let ticker
if (cloudflare) {
  const tick = { symbol: 'ACME', price: 100, seq: 0 }
  let publishing = false
  ticker = setInterval(async () => {
    if (publishing) return
    publishing = true
    tick.seq++
    tick.price = Math.max(1, Math.round((tick.price + (Math.random() - 0.5) * 2) * 100) / 100)
    try {
      await cloudflare.publish('ticker:ACME', { ...tick, atMs: Date.now() })
    } catch (error) {
      console.error(`ticker: ${error.message}`)
    } finally {
      publishing = false
    }
  }, 200)
}

const demoRoot = fileURLToPath(new URL('.', import.meta.url))
const vite = await createServer({
  configFile: false,
  root: demoRoot,
  logLevel: 'warn',
  clearScreen: false,
  plugins: [react(), controlApi(server, cloudflare)],
  resolve: {
    alias: {
      'react-durable-iterator/tabs': fileURLToPath(new URL('../src/tabs.ts', import.meta.url)),
      'react-durable-iterator': fileURLToPath(new URL('../src/index.ts', import.meta.url)),
    },
  },
  define: {
    __DEMO_CONFIG__: JSON.stringify({
      rpcUrl,
      durableUrl,
      tokenTtlSeconds,
      engine: engineLabel,
      shareAcrossTabs,
    }),
  },
  // Bundle the dependencies up front, so the first page load does not trigger a re-optimisation reload.
  optimizeDeps: {
    include: [
      'react',
      'react-dom/client',
      'react/jsx-runtime',
      '@tanstack/react-query',
      '@tanstack/react-query-devtools',
      '@orpc/client',
      '@orpc/client/fetch',
      '@orpc/client/websocket',
      '@orpc/tanstack-query',
      'partysocket',
    ],
  },
  server: { host: values.host, port, strictPort: port !== 0 && port !== 5173 },
})
await vite.listen()
const pageUrl = vite.resolvedUrls?.local[0] ?? `http://${values.host}:${port}/`

console.log(`react-durable-iterator demo
  Page:             ${pageUrl}
  oRPC endpoint:    ${rpcUrl}
  Engine:           ${engineLabel}
  Durable endpoint: ${durableUrl}
  Tokens live ${tokenTtlSeconds} s and are refreshed in-band before they expire.
  ${shareAcrossTabs ? 'Open it in several tabs: they share one socket per stream.' : 'Each tab opens its own sockets (--tabs separate).'} Ctrl+C stops.`)

async function shutdown() {
  clearInterval(ticker)
  await Promise.allSettled([vite.close(), server?.close(), cloudflare?.close()])
  process.exit(0)
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
