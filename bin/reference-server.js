#!/usr/bin/env node
// Runs the reference server: the example oRPC router (token procedures) at /rpc and the durable-iterator hub
// at /durable, on one port. For local development and demos; see `--help`.
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'

const USAGE = `Usage: react-durable-iterator-server [--port N] [--host H] [--token-ttl S] [--token-format F]
                                     [--refuse-upgrades-with R]

  --port N                   port to listen on (0 picks a free one)      default 8787
  --host H                   interface to bind                           default 127.0.0.1
  --token-ttl S              lifetime of issued tokens, in seconds       default 60
  --token-format F           jwt, or orpc for oRPC's own client          default jwt
  --refuse-upgrades-with R   close-code (accept, then close 4001), or
                             http-status (HTTP 401 before the upgrade)   default close-code

Environment:
  DURABLE_ITERATOR_SIGNING_KEY   HS256 secret (at least 32 bytes) tokens are signed with.
                                 Unset: a random key per start, so tokens from an earlier start are refused.`

function fail(message) {
  console.error(`reference-server: ${message}\n\n${USAGE}`)
  process.exit(2)
}

let values
try {
  ;({ values } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      'token-ttl': { type: 'string', default: '60' },
      'token-format': { type: 'string', default: 'jwt' },
      'refuse-upgrades-with': { type: 'string', default: 'close-code' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  }))
} catch (error) {
  fail(error instanceof Error ? error.message : String(error))
}

if (values.help) {
  console.log(USAGE)
  process.exit(0)
}

const port = Number(values.port)
if (!/^\d+$/.test(values.port) || port > 65535) fail(`--port must be an integer from 0 to 65535 (got '${values.port}')`)
const tokenTtlSeconds = Number(values['token-ttl'])
if (!(tokenTtlSeconds > 0) || !Number.isFinite(tokenTtlSeconds)) {
  fail(`--token-ttl must be a positive number of seconds (got '${values['token-ttl']}')`)
}
const host = values.host
if (host.length === 0) fail('--host must not be empty')
const tokenFormat = values['token-format']
if (tokenFormat !== 'jwt' && tokenFormat !== 'orpc') fail(`--token-format must be jwt or orpc (got '${tokenFormat}')`)
const refuseUpgradesWith = values['refuse-upgrades-with']
if (refuseUpgradesWith !== 'close-code' && refuseUpgradesWith !== 'http-status') {
  fail(`--refuse-upgrades-with must be close-code or http-status (got '${refuseUpgradesWith}')`)
}

const envKey = process.env.DURABLE_ITERATOR_SIGNING_KEY
let signingKey
if (envKey !== undefined && envKey !== '') {
  const bytes = Buffer.byteLength(envKey, 'utf8')
  if (bytes < 32) {
    fail(
      `DURABLE_ITERATOR_SIGNING_KEY must be at least 32 bytes for HS256 (got ${bytes}); try: openssl rand -base64 48`,
    )
  }
  signingKey = envKey
}

// Through the guard: without the server's packages installed, it says which to install.
const serverEntry = new URL('../dist/server-guard.js', import.meta.url)
if (!existsSync(serverEntry)) {
  console.error('reference-server: dist/server-guard.js is missing; run `npm run build` first (or `npm start`).')
  process.exit(1)
}
const { startReferenceServer } = await import(serverEntry.href)

let server
try {
  server = await startReferenceServer({
    host,
    port,
    tokenTtlSeconds,
    tokenFormat,
    refuseUpgradesWith,
    ...(signingKey ? { signingKey } : {}),
  })
} catch (error) {
  console.error(
    `reference-server: could not start on ${host}:${port}: ${error instanceof Error ? error.message : error}`,
  )
  process.exit(1)
}

const tokenUrl = `${server.rpcUrl}/chat/onMessage`
console.log(`react-durable-iterator reference server
  oRPC (HTTP):     ${server.rpcUrl}
  durable socket:  ${server.durableUrl}
  signing key:     ${signingKey ? 'from DURABLE_ITERATOR_SIGNING_KEY' : 'random for this start (set DURABLE_ITERATOR_SIGNING_KEY to keep tokens valid across restarts)'}
  token lifetime:  ${tokenTtlSeconds} s
  token format:    ${tokenFormat === 'orpc' ? "orpc (oRPC's signed value, marked x-orpc-durable-iterator: 1)" : 'jwt'}
  refusals:        ${refuseUpgradesWith === 'http-status' ? 'HTTP 400/401/503 before the upgrade' : 'accepted, then closed with 4000/4001/1013'}
Get a chat token (the answer is {"json":"<token>"}):
  curl -s -X POST ${tokenUrl} -H 'content-type: application/json' -d '{"json":{"room":"lobby"}}'
Stop with Ctrl-C.`)

let stopping = false
async function stop(signal) {
  if (stopping) {
    // A second signal while closing: give up waiting.
    process.exit(1)
  }
  stopping = true
  console.log(`\n${signal}: closing the server`)
  const timer = setTimeout(() => {
    console.error('reference-server: close took longer than 5 s, exiting anyway')
    process.exit(1)
  }, 5000)
  timer.unref()
  try {
    await server.close()
    console.log('closed')
    process.exitCode = 0
  } catch (error) {
    console.error(`reference-server: error while closing: ${error instanceof Error ? error.message : error}`)
    process.exitCode = 1
  }
}

process.on('SIGINT', () => void stop('SIGINT'))
process.on('SIGTERM', () => void stop('SIGTERM'))
