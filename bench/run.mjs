#!/usr/bin/env node
// `npm run bench`: builds the package (`npm run build`), runs every scenario in bench/scenarios (each in its own Vitest
// process, one after the other) and writes BENCHMARKS.md from their results. `npm run bench -- --quick` runs each once
// and smaller, to check that the scripts work (CI does that), and writes artifacts/bench/quick/BENCHMARKS.md instead of
// the committed file.
// `--only=s1,s4` runs some scenarios only (the report then has those only). `--report-only` rewrites the report from
// the results of the last run (after a change to bench/report.mjs), without running anything.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderReport } from './report.mjs'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const args = process.argv.slice(2)
const quick = args.includes('--quick')
const reportOnly = args.includes('--report-only')
const only = args
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
const unknown = args.filter((arg) => arg !== '--quick' && arg !== '--report-only' && !arg.startsWith('--only='))
if (unknown.length > 0) {
  console.error(`bench: unknown arguments ${unknown.join(' ')} (use --quick, --only=s1,s2, --report-only)`)
  process.exit(2)
}

const resultsDir = join(root, 'artifacts', 'bench', quick ? 'quick' : 'full')
const reportPath = quick ? join(resultsDir, 'BENCHMARKS.md') : join(root, 'BENCHMARKS.md')
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')
const scenarioFiles = readdirSync(join(root, 'bench', 'scenarios'))
  .filter((file) => /^s\d+-.*\.bench-run\.tsx?$/.test(file))
  .sort((a, b) => Number(a.match(/^s(\d+)/)[1]) - Number(b.match(/^s(\d+)/)[1]))
  .filter((file) => !only || only.includes(file.split('-')[0]))

// Each scenario runs under a shell that first raises the soft limit on open files to the hard limit: scenario 7 holds
// 10,000 sockets in one process. Where the hard limit is lower, the scenario says what it left out.
const RAISE_FILE_LIMIT = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"'

function runScenarios() {
  rmSync(resultsDir, { recursive: true, force: true })
  mkdirSync(resultsDir, { recursive: true })

  const startedAt = new Date()
  // Scenario 2 restarts the server as a process of its own, which runs the built package: build it from src/ now.
  console.log('\n===== bench: npm run build =====')
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' })
  if (build.status !== 0) {
    console.error('bench: `npm run build` failed')
    process.exit(1)
  }
  const loads = { before: os.loadavg(), after: [], highest: os.loadavg()[0] }
  const failed = []
  for (const file of scenarioFiles) {
    console.log(`\n===== bench: ${file}${quick ? ' (quick)' : ''} =====`)
    const command = [process.execPath, vitest, 'run', '-c', 'bench/bench.config.ts', `bench/scenarios/${file}`]
    const run = spawnSync('sh', ['-c', RAISE_FILE_LIMIT, 'sh', ...command], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, BENCH_QUICK: quick ? '1' : '0', BENCH_OUT: resultsDir },
    })
    if (run.status !== 0) failed.push(file)
    loads.highest = Math.max(loads.highest, os.loadavg()[0])
  }
  loads.after = os.loadavg()
  const totalSeconds = (Date.now() - startedAt.getTime()) / 1000
  return { loads, failed, startedAt: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'), totalSeconds }
}

function cpuModel() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('model name'))
    return line?.split(':')[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown'
  } catch {
    return os.cpus()[0]?.model ?? 'unknown'
  }
}

/** Git's output untrimmed (porcelain status starts with a space when the index is clean), '' without git. */
function gitOutput(...gitArgs) {
  try {
    return execFileSync('git', gitArgs, { cwd: root, encoding: 'utf8' })
  } catch {
    return ''
  }
}

function git(...gitArgs) {
  return gitOutput(...gitArgs).trim()
}

function versionOf(name) {
  const file = join(root, 'node_modules', name, 'package.json')
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : 'not installed'
}

const ownPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
// What a run measures with: the scripts, the code under test, the test harnesses the scripts import, and the
// dependencies. The report names the last commit that changed any of them, and says if the tree differed from it.
const MEASURED_PATHS = [
  'bench',
  'src',
  'tests/client/harness.tsx',
  'tests/server/harness.ts',
  'tests/support',
  'tests/cloudflare/harness.ts',
  'tests/cloudflare/worker.ts',
  'tests/cloudflare/methods.ts',
  'package.json',
  'package-lock.json',
  'tsdown.config.ts',
]
function sourceState() {
  // -z: one NUL-terminated "XY path" entry per file, nothing trimmed or quoted (a rename adds its old path after it).
  const entries = gitOutput('status', '--porcelain=v1', '-z', '--', ...MEASURED_PATHS).split('\0')
  const changed = []
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index] ?? ''
    if (entry.length < 4) continue
    changed.push(entry.slice(3))
    if (entry[0] === 'R' || entry[0] === 'C') index++
  }
  return {
    commit: git('log', '-1', '--format=%h', '--', ...MEASURED_PATHS) || 'unknown',
    head: git('rev-parse', '--short', 'HEAD') || 'unknown',
    paths: MEASURED_PATHS,
    uncommitted: changed,
  }
}
const machine = {
  CPUs: `${os.availableParallelism()} (${cpuModel()})`,
  memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
  Node: process.version,
  OS: `${os.type()} ${os.release()} ${os.arch()}`,
}
const versions = {
  [ownPackage.name]: ownPackage.version,
  ...Object.fromEntries(
    [
      'react',
      'react-dom',
      '@tanstack/react-query',
      '@orpc/client',
      '@orpc/server',
      'partysocket',
      'react-use-websocket',
      'ws',
      'jsdom',
      'vitest',
      'vite',
    ].map((name) => [name, versionOf(name)]),
  ),
}

const runFile = join(resultsDir, 'run.json')
let run
if (reportOnly) {
  if (!existsSync(runFile)) {
    console.error(`bench: no results in ${resultsDir.replace(`${root}/`, '')}; run \`npm run bench\` first`)
    process.exit(1)
  }
  run = JSON.parse(readFileSync(runFile, 'utf8'))
} else {
  // Read before the scenarios run: the state of the tree they start from.
  const source = sourceState()
  run = { ...runScenarios(), machine, versions, source }
  writeFileSync(runFile, `${JSON.stringify(run, null, 2)}\n`)
}

const report = renderReport({ resultsDir, quick, ...run })
writeFileSync(reportPath, report)
// The repository formats Markdown with Biome: write the report the way `npm run lint` wants it.
spawnSync(
  process.execPath,
  [join(root, 'node_modules', '@biomejs', 'biome', 'bin', 'biome'), 'format', '--write', reportPath],
  {
    cwd: root,
    stdio: 'ignore',
  },
)
console.log(`\nbench: wrote ${reportPath.replace(`${root}/`, '')} (the run took ${Math.round(run.totalSeconds)} s)`)
if (run.failed.length > 0) {
  console.error(`bench: failed: ${run.failed.join(', ')}`)
  process.exit(1)
}
