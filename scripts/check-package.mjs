#!/usr/bin/env node
// Checks the package as it would be published: packs it, lints the tarball with publint and attw, and looks inside
// the packed dist for the things a bundler or an RSC framework would trip over. Run `npm run build` first.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

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
  'dist/token/index.js',
  'dist/token/index.d.ts',
  'dist/server/index.js',
  'dist/server/index.d.ts',
  'dist/cloudflare/index.js',
  'dist/cloudflare/index.d.ts',
  'dist/testing/index.js',
  'dist/testing/index.d.ts',
]
const missing = builtOutputs.filter((file) => !existsSync(join(root, file)))
if (missing.length > 0) {
  console.error(`check-package: ${missing.join(', ')} missing; run \`npm run build\` first.`)
  process.exit(1)
}

const workDir = mkdtempSync(join(tmpdir(), 'check-package-'))
try {
  step('npm pack')
  // --ignore-scripts: pack what the build made, without running any prepack hook a later change might add.
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', workDir], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  )[0]
  const tarball = join(workDir, packed.filename)
  const packedFiles = packed.files.map((file) => file.path).sort()
  console.log(
    `${packed.filename}: ${packedFiles.length} files, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked`,
  )
  for (const file of packedFiles) console.log(`  ${file}`)

  const expectedFiles = [...builtOutputs, 'bin/reference-server.js', 'package.json']
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

  const client = read('dist/index.js')
  const server = read('dist/server/index.js')
  const useClient = /^\s*(['"])use client\1;?\s*$/

  const clientFirstLine = client.split('\n', 1)[0]
  if (!useClient.test(clientFirstLine)) {
    fail(`dist/index.js must start with 'use client' on line 1, found: ${JSON.stringify(clientFirstLine)}`)
  }
  const serverFirstLine = server.split('\n', 1)[0]
  if (useClient.test(serverFirstLine)) fail(`dist/server/index.js must not start with 'use client'`)
  if (/(['"])use client\1/.test(server)) fail(`dist/server/index.js contains a 'use client' directive`)
  // The token entry is for server components too: no directive, and no React.
  const token = read('dist/token/index.js')
  if (/(['"])use client\1/.test(token)) fail(`dist/token/index.js contains a 'use client' directive`)
  for (const specifier of importSpecifiers(token)) {
    if (/^react(-dom)?(\/|$)|^@tanstack\/react-query/.test(specifier)) {
      fail(`dist/token/index.js imports '${specifier}': the token entry must not need React`)
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

  // Walk the client's module graph inside the tarball: its entry files and any chunk they import relatively.
  const packageDir = join(unpacked, 'package')
  const pending = ['dist/index.js', 'dist/index.d.ts', 'dist/token/index.js', 'dist/token/index.d.ts']
  const seen = new Set()
  while (pending.length > 0) {
    const file = pending.shift()
    if (seen.has(file)) continue
    seen.add(file)
    if (file.startsWith('dist/server/')) {
      fail(`the client bundle reaches ${file}, which belongs to the server entry`)
      continue
    }
    if (!existsSync(join(packageDir, file))) {
      fail(`the client bundle imports ${file}, which is not in the tarball`)
      continue
    }
    const specifiers = importSpecifiers(read(file))
    console.log(`${file} imports: ${specifiers.join(', ') || '(nothing)'}`)
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) {
        pending.push(
          relative(packageDir, resolve(dirname(join(packageDir, file)), specifier))
            .split(sep)
            .join('/'),
        )
        continue
      }
      const why = forbiddenInClient(specifier)
      if (why) fail(`${file} imports '${specifier}', ${why}: the client bundle must stay free of server code`)
    }
  }
  console.log(`dist/server/index.js imports: ${importSpecifiers(server).join(', ')}`)

  // The testing entry runs in users' browsers (stories) and jsdom tests: no Node built-ins and no `ws`.
  const testing = importSpecifiers(read('dist/testing/index.js'))
  console.log(`dist/testing/index.js imports: ${testing.join(', ')}`)
  for (const specifier of testing) {
    const why = forbiddenInClient(specifier)
    if (why === 'a Node built-in' || specifier === 'ws' || specifier.startsWith('ws/')) {
      fail(`dist/testing/index.js imports '${specifier}': the testing entry must run in browsers too`)
    }
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
