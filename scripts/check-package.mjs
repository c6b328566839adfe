#!/usr/bin/env node
// Checks the package as it would be published: packs it, lints the tarball with publint and attw, and looks inside
// the packed dist for the things a bundler or an RSC framework would trip over. Run `npm run build` first.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packInto } from './pack.mjs'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const bin = (name) => join(root, 'node_modules', '.bin', name)
const failures = []
const fail = (message) => failures.push(message)

function step(title) {
  console.log(`\n--- ${title}`)
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options })
  if (result.error) throw result.error
  return result.status ?? 1
}

const builtOutputs = [
  'dist/index.js',
  'dist/index.d.ts',
  'dist/core.js',
  'dist/core.d.ts',
  'dist/tabs.js',
  'dist/tabs.d.ts',
  'dist/server.js',
  'dist/server.d.ts',
  'dist/server-guard.js',
  'dist/cloudflare.js',
  'dist/cloudflare.d.ts',
  'dist/testing.js',
  'dist/testing.d.ts',
]
const missing = builtOutputs.filter((file) => !existsSync(join(root, file)))
if (missing.length > 0) {
  console.error(`check-package: ${missing.join(', ')} missing; run \`npm run build\` first.`)
  process.exit(1)
}

const workDir = mkdtempSync(join(tmpdir(), 'check-package-'))
try {
  step('npm pack')
  const packed = packInto(workDir)
  const { tarball } = packed
  const packedFiles = packed.files.map((file) => file.path).sort()
  console.log(
    `${packed.filename}: ${packedFiles.length} files, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked`,
  )
  for (const file of packedFiles) console.log(`  ${file}`)

  const expectedFiles = [...builtOutputs, 'bin/reference-server.js', 'package.json', 'LICENSE']
  for (const file of expectedFiles) {
    if (!packedFiles.includes(file)) fail(`the tarball lacks ${file}`)
  }
  const strays = packedFiles.filter((file) => /^(src|tests|scripts|\.ci|coverage|node_modules)\//.test(file))
  if (strays.length > 0) fail(`the tarball contains files that should not ship: ${strays.join(', ')}`)

  step(`publint ${packed.filename}`)
  if (run(bin('publint'), ['run', '--strict', tarball]) !== 0) fail('publint reported problems (see above)')

  step(`attw ${packed.filename} --profile esm-only`)
  if (run(bin('attw'), [tarball, '--profile', 'esm-only']) !== 0) fail('attw reported problems (see above)')

  step('packed dist: directives and imports')
  const unpacked = join(workDir, 'unpacked')
  execFileSync('mkdir', ['-p', unpacked])
  execFileSync('tar', ['-xzf', tarball, '-C', unpacked])
  const read = (file) => readFileSync(join(unpacked, 'package', file), 'utf8')
  const packageDir = join(unpacked, 'package')

  const client = read('dist/index.js')
  const useClient = /^\s*(['"])use client\1;?\s*$/
  const clientFirstLine = client.split('\n', 1)[0]
  if (!useClient.test(clientFirstLine)) {
    fail(`dist/index.js must start with 'use client' on line 1, found: ${JSON.stringify(clientFirstLine)}`)
  }
  // Every other file has no directive: the server entries, and the core entry (server components call it).
  for (const file of packedFiles.filter((path) => path.endsWith('.js') && path !== 'dist/index.js')) {
    if (/(['"])use client\1/.test(read(file))) fail(`${file} contains a 'use client' directive`)
  }
  // The core entry is for server components and non-React code: no React anywhere in its module graph.
  for (const [file, specifier] of moduleGraph(['dist/core.js', 'dist/core.d.ts'])) {
    if (/^react(-dom)?(\/|$)|^@tanstack\/react-query/.test(specifier)) {
      fail(`${file} (reached from dist/core.js) imports '${specifier}': the core entry must not need React`)
    }
  }

  const nodeBuiltins = new Set(builtinModules.flatMap((name) => [name, name.split('/')[0]]))
  const serverOnlyPackages = ['ws', 'jose', '@orpc/server', '@orpc/standard-server-peer']
  function forbiddenInClient(specifier) {
    if (specifier.startsWith('node:')) return 'a Node built-in'
    if (nodeBuiltins.has(specifier) || nodeBuiltins.has(specifier.split('/')[0])) return 'a Node built-in'
    for (const name of serverOnlyPackages) {
      if (specifier === name || specifier.startsWith(`${name}/`)) return 'a server-only package'
    }
    if (specifier === 'react-durable-iterator/server') return 'the server entry'
    return undefined
  }

  // The client entries' module graphs inside the tarball: no server code may be reachable from them.
  const clientEntries = [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/core.js',
    'dist/core.d.ts',
    'dist/tabs.js',
    'dist/tabs.d.ts',
  ]
  for (const [file, specifier] of moduleGraph(clientEntries)) {
    if (/^dist\/(server|server-guard|cloudflare|testing)\.js$/.test(specifier)) {
      fail(`${file} reaches ${specifier}, which belongs to a server entry`)
    }
    const why = specifier.startsWith('dist/') ? undefined : forbiddenInClient(specifier)
    if (why) fail(`${file} imports '${specifier}', ${why}: the client bundle must stay free of server code`)
  }
  console.log(`dist/server.js imports: ${importSpecifiers(read('dist/server.js')).join(', ')}`)

  // The testing entry runs in users' browsers (stories) and jsdom tests: no Node built-ins and no `ws`.
  for (const [file, specifier] of moduleGraph(['dist/testing.js'])) {
    if (specifier.startsWith('dist/')) continue
    if (forbiddenInClient(specifier) === 'a Node built-in' || specifier === 'ws' || specifier.startsWith('ws/')) {
      fail(`${file} (reached from dist/testing.js) imports '${specifier}': the testing entry must run in browsers too`)
    }
  }

  /**
   * Every (file, import) pair reachable from `entries` inside the tarball: relative imports are followed (and given
   * as the package path they resolve to), others are listed as they are written.
   */
  function moduleGraph(entries) {
    const pairs = []
    const pending = [...entries]
    const seen = new Set()
    while (pending.length > 0) {
      const file = pending.shift()
      if (seen.has(file)) continue
      seen.add(file)
      if (!existsSync(join(packageDir, file))) {
        fail(`${file} is imported inside the package but is not in the tarball`)
        continue
      }
      for (const specifier of importSpecifiers(read(file))) {
        if (!specifier.startsWith('.')) {
          pairs.push([file, specifier])
          continue
        }
        const resolved = relative(packageDir, resolve(dirname(join(packageDir, file)), specifier))
          .split(sep)
          .join('/')
        // A declaration file's `./x.js` means the declarations beside it, `./x.d.ts`.
        const target = file.endsWith('.d.ts') ? resolved.replace(/\.js$/, '.d.ts') : resolved
        pairs.push([file, target])
        pending.push(target)
      }
    }
    return pairs
  }
} finally {
  rmSync(workDir, { recursive: true, force: true })
}

if (failures.length > 0) {
  console.error(`\ncheck-package: FAILED\n${failures.map((message) => `  - ${message}`).join('\n')}`)
  process.exit(1)
}
console.log('\ncheck-package: OK')

/** Module specifiers of static imports/re-exports, dynamic import() and require() calls in bundled JS or .d.ts. */
function importSpecifiers(text) {
  const found = new Set()
  const patterns = [
    /\b(?:import|export)\s[^'";]*?\bfrom\s*(['"])([^'"]+)\1/g,
    /\bimport\s*(['"])([^'"]+)\1/g,
    /\bimport\s*\(\s*(['"])([^'"]+)\1\s*\)/g,
    /\brequire\s*\(\s*(['"])([^'"]+)\1\s*\)/g,
  ]
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) found.add(match[2])
  }
  return [...found].sort()
}
