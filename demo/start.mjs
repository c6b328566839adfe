#!/usr/bin/env node
// The demo: the reference server with short-lived tokens, and a React page that streams through it.
// Run by `npm start` (which builds the package first). Flags: --port (page, default 5173; 0 picks a free
// one), --host (default 127.0.0.1), --token-ttl (seconds, default 15).
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import react from '@vitejs/plugin-react'
import { createServer } from 'vite'
import { startReferenceServer } from '../dist/server/index.js'
import { controlApi } from './control-api.mjs'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5173' },
    host: { type: 'string', default: '127.0.0.1' },
    'token-ttl': { type: 'string', default: '15' },
  },
})
const port = Number(values.port)
const tokenTtlSeconds = Number(values['token-ttl'])
if (!Number.isInteger(port) || port < 0 || !(tokenTtlSeconds > 0)) {
  console.error('usage: node demo/start.mjs [--port 5173] [--host 127.0.0.1] [--token-ttl 15]')
  process.exit(2)
}

const server = await startReferenceServer({
  host: values.host,
  port: 0,
  tokenTtlSeconds,
  signingKey: randomBytes(48),
  resumeRetentionSeconds: 120,
})

const demoRoot = fileURLToPath(new URL('.', import.meta.url))
const vite = await createServer({
  configFile: false,
  root: demoRoot,
  logLevel: 'warn',
  clearScreen: false,
  plugins: [react(), controlApi(server)],
  resolve: { alias: { 'react-durable-iterator': fileURLToPath(new URL('../src/index.ts', import.meta.url)) } },
  define: {
    __DEMO_CONFIG__: JSON.stringify({ rpcUrl: server.rpcUrl, durableUrl: server.durableUrl, tokenTtlSeconds }),
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
  oRPC endpoint:    ${server.rpcUrl}
  Durable endpoint: ${server.durableUrl}
  Tokens live ${tokenTtlSeconds} s and are refreshed in-band before they expire. Ctrl+C stops.`)

async function shutdown() {
  await Promise.allSettled([vite.close(), server.close()])
  process.exit(0)
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
