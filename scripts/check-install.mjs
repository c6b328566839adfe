#!/usr/bin/env node
// Installs the packed package into fresh apps, as users would, with the oldest and the newest versions of every
// peer range, and runs tests/compat there: the hooks under jsdom with that React, TanStack Query and oRPC, and the
// core entry in plain Node. Before the server's packages are added, each app must have installed without ws, jose
// or @orpc/server, and importing react-durable-iterator/server must say what to install. Also checks that an app
// with React 19, TanStack Query 5 and @orpc/client 1.13.14 (the release of oRPC's durable iterator) installs it.
// Run `npm run build` first (CI does). `npm run check:install`; `-- --only=oldest` runs one profile.
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packInto } from './pack.mjs'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length)

/** Each profile's versions: the oldest of every range the package declares, and the newest. */
const PROFILES = [
  {
    name: 'oldest',
    client: { react: '18.3.1', 'react-dom': '18.3.1', '@tanstack/react-query': '5.44.0', '@orpc/client': '1.13.13' },
    server: {
      '@orpc/server': '1.13.13',
      '@orpc/contract': '1.13.13',
      '@orpc/standard-server-peer': '1.13.13',
      jose: '6.2.10',
      ws: '8.18.1',
      msw: '2.6.0',
    },
  },
  {
    name: 'newest',
    client: { react: '^19', 'react-dom': '^19', '@tanstack/react-query': '^5', '@orpc/client': '^1' },
    server: {
      '@orpc/server': '^1',
      '@orpc/contract': '^1',
      '@orpc/standard-server-peer': '^1',
      jose: '^6',
      ws: '^8',
      msw: '^2',
    },
  },
]
const ORPC_DURABLE_ITERATOR_APP = {
  react: '^19',
  'react-dom': '^19',
  '@tanstack/react-query': '^5',
  '@orpc/client': '1.13.14',
}
/** What the tests themselves need, at the versions this repository uses. */
const TEST_TOOLS = {
  vitest: '4.1.12',
  jsdom: '29.1.1',
  '@testing-library/react': '16.3.3',
  '@testing-library/dom': '10.4.2',
}
// @orpc/standard-server-peer is not among them: @orpc/client depends on it.
const SERVER_ONLY = ['ws', 'jose', '@orpc/server', '@orpc/contract']

const failures = []
const fail = (message) => {
  console.error(`  FAIL: ${message}`)
  failures.push(message)
}

function npm(args, cwd) {
  const result = spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error' },
  })
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` }
}

function specs(versions) {
  return Object.entries(versions).map(([name, version]) => `${name}@${version}`)
}

/** Kilobytes on disk below `dir`. */
function sizeKb(dir) {
  return Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0])
}

function newApp(name) {
  const dir = mkdtempSync(join(tmpdir(), `rdi-install-${name}-`))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `app-${name}`, private: true, type: 'module' }))
  return dir
}

/** Installs the package and the client's peers; returns the app folder, or undefined if npm refused. */
function installClient(name, tarball, versions) {
  const dir = newApp(name)
  const install = npm(['install', '--no-audit', '--no-fund', tarball, ...specs(versions)], dir)
  if (!install.ok) {
    fail(`${name}: npm install of the package with ${specs(versions).join(' ')} failed:\n${install.output}`)
    return undefined
  }
  const present = SERVER_ONLY.filter((pkg) => existsSync(join(dir, 'node_modules', pkg)))
  if (present.length > 0) fail(`${name}: a client-only install brought ${present.join(', ')}`)
  console.log(
    `  ${name}: installed with ${specs(versions).join(' ')}; node_modules ${sizeKb(join(dir, 'node_modules'))} kB, without ${SERVER_ONLY.join(', ')}`,
  )
  return dir
}

function checkServerGuard(name, dir) {
  const probe = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', "await import('react-durable-iterator/server')"],
    { cwd: dir, encoding: 'utf8' },
  )
  const message = probe.stderr
  if (probe.status === 0) fail(`${name}: importing react-durable-iterator/server without its packages succeeded`)
  else if (!/react-durable-iterator\/server needs .*npm install /.test(message)) {
    fail(
      `${name}: importing react-durable-iterator/server without its packages did not say what to install:\n${message}`,
    )
  } else
    console.log(
      `  ${name}: /server without its packages says: ${message.match(/react-durable-iterator\/server needs [^\n]*/)?.[0]}`,
    )
}

function runCompatTests(name, dir, profile) {
  const add = npm(['install', '--no-audit', '--no-fund', ...specs(profile.server), ...specs(TEST_TOOLS)], dir)
  if (!add.ok) {
    fail(`${name}: adding the server's packages and the test tools failed:\n${add.output}`)
    return
  }
  for (const file of readdirSync(join(root, 'tests', 'compat')))
    cpSync(join(root, 'tests', 'compat', file), join(dir, file))
  writeFileSync(
    join(dir, 'vitest.config.js'),
    "export default { test: { include: ['*.compat.test.js'], testTimeout: 30000, pool: 'forks' } }\n",
  )
  const tests = spawnSync(join(dir, 'node_modules', '.bin', 'vitest'), ['run'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  })
  const summary = `${tests.stdout}${tests.stderr}`
  if (tests.status !== 0) fail(`${name}: tests/compat failed:\n${summary}`)
  else console.log(`  ${name}: tests/compat passed (${summary.match(/Tests\s+[^\n]*/)?.[0] ?? 'ok'})`)
}

const workDir = mkdtempSync(join(tmpdir(), 'rdi-pack-'))
try {
  const { filename, tarball } = packInto(workDir)
  console.log(`packed ${filename} (${statSync(tarball).size} bytes)`)

  for (const profile of PROFILES.filter((candidate) => !only || candidate.name === only)) {
    console.log(`\n--- ${profile.name}`)
    const dir = installClient(profile.name, tarball, profile.client)
    if (!dir) continue
    checkServerGuard(profile.name, dir)
    runCompatTests(profile.name, dir, profile)
    // KEEP_COMPAT_APPS=1 keeps the apps, to look into a failure.
    if (process.env.KEEP_COMPAT_APPS === '1') console.log(`  ${profile.name}: kept in ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
  if (!only) {
    console.log("\n--- an app on oRPC's durable-iterator release (1.13.14)")
    const dir = installClient('orpc-1.13.14', tarball, ORPC_DURABLE_ITERATOR_APP)
    if (dir) rmSync(dir, { recursive: true, force: true })
  }
} finally {
  rmSync(workDir, { recursive: true, force: true })
}

if (failures.length > 0) {
  console.error(`\ncheck-install: FAILED (${failures.length})`)
  process.exit(1)
}
console.log('\ncheck-install: OK')
