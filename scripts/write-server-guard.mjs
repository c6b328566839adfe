#!/usr/bin/env node
// Writes dist/server-guard.js, what `import 'react-durable-iterator/server'` loads: it checks that the server's
// optional peer dependencies are installed before loading dist/server.js, so a client-only install that imports the
// server entry is told what to install instead of failing on the first missing module. Run after tsdown (npm run
// build does).
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const manifest = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'))
// What dist/server.js imports, directly or through its chunks, that a client install leaves out.
// (@orpc/standard-server-peer, which it imports too, comes with @orpc/client.)
const SERVER_PEERS = ['@orpc/server', '@orpc/contract', 'jose', 'ws']
for (const name of SERVER_PEERS) {
  if (!manifest.peerDependenciesMeta?.[name]?.optional) {
    throw new Error(`write-server-guard: ${name} is not an optional peer dependency in package.json`)
  }
}
const install = SERVER_PEERS.map((name) => `${name}@${manifest.peerDependencies[name]}`).join(' ')
const names = Object.keys(await import(pathToFileURL(resolve(root, 'dist/server.js')).href)).sort()

writeFileSync(
  resolve(root, 'dist/server-guard.js'),
  `// Written by scripts/write-server-guard.mjs: checks the server entry's optional peer dependencies, then loads it.
const peers = ${JSON.stringify(SERVER_PEERS)}
const missing = peers.filter((name) => {
  try {
    import.meta.resolve(name)
    return false
  } catch {
    return true
  }
})
if (missing.length > 0) {
  throw new Error(
    \`react-durable-iterator/server needs \${missing.join(', ')}, which a client-only install leaves out (they are ` +
    `optional peer dependencies). Install the server's packages: npm install ${install}\`,
  )
}
const server = await import('./server.js')
export const { ${names.join(', ')} } = server
`,
)
console.log(`dist/server-guard.js: checks ${SERVER_PEERS.join(', ')}, then exports ${names.length} names`)
