import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const EXAMPLE_DIR = join(REPO_ROOT, 'examples', 'nextjs')
const NEXT_BIN = join(EXAMPLE_DIR, 'node_modules', 'next', 'dist', 'bin', 'next')
const INSTALLED_PACKAGE = join(EXAMPLE_DIR, 'node_modules', 'react-durable-iterator')
const BUILT_FILES = [
  'dist/index.js',
  'dist/index.d.ts',
  'dist/core.js',
  'dist/core.d.ts',
  'dist/server.js',
  'dist/server.d.ts',
]
const MANIFEST_FIELDS = ['exports', 'dependencies', 'peerDependencies'] as const

/** Next's environment: no telemetry, and no NODE_ENV=test from Vitest (next sets production itself). */
function nextEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_ENV: _vitestNodeEnv, ...env } = process.env
  return { ...env, NEXT_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0', ...extra }
}

/** `npm ci` in examples/nextjs: the package goes in as a copy of this checkout's build. */
function installExample(why: string): void {
  console.log(`examples/nextjs: ${why}; running npm ci --prefix examples/nextjs`)
  const result = spawnSync('npm', ['ci', '--prefix', EXAMPLE_DIR, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  })
  if (result.status !== 0) throw new Error(`npm ci --prefix examples/nextjs failed (${result.status})`)
}

/**
 * The example installs the package as a copy (`install-links=true`), so it sees the package as published. Installs
 * the example when it has no node_modules or the package's exports or dependencies changed since, else brings the
 * copy's dist/ up to this checkout's build (a rebuild after editing src/ needs no reinstall).
 */
export function syncInstalledPackage(): string {
  const missing = BUILT_FILES.filter((file) => !existsSync(join(REPO_ROOT, file)))
  if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: run \`npm run build\` (npm test does)`)
  if (!existsSync(NEXT_BIN) || !existsSync(join(INSTALLED_PACKAGE, 'package.json'))) {
    installExample('not installed yet')
  }
  const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const [root, installed] = [manifest(REPO_ROOT), manifest(INSTALLED_PACKAGE)]
  const changed = MANIFEST_FIELDS.find((field) => JSON.stringify(root[field]) !== JSON.stringify(installed[field]))
  if (changed) {
    installExample(`package.json "${changed}" changed since it was installed`)
    return 'examples/nextjs was reinstalled with this build of the package'
  }
  const same = BUILT_FILES.every((file) => {
    const copy = join(INSTALLED_PACKAGE, file)
    return existsSync(copy) && readFileSync(copy).equals(readFileSync(join(REPO_ROOT, file)))
  })
  if (same) return 'examples/nextjs has this build of the package'
  rmSync(join(INSTALLED_PACKAGE, 'dist'), { recursive: true, force: true })
  cpSync(join(REPO_ROOT, 'dist'), join(INSTALLED_PACKAGE, 'dist'), { recursive: true })
  return "examples/nextjs had another build of the package: copied this checkout's dist/ into it"
}

export interface CommandResult {
  code: number | null
  output: string
  durationMs: number
}

/** `next build` in examples/nextjs. */
export function nextBuild(): Promise<CommandResult> {
  const startedAt = Date.now()
  const child = spawn(process.execPath, [NEXT_BIN, 'build'], {
    cwd: EXAMPLE_DIR,
    env: nextEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, output, durationMs: Date.now() - startedAt }))
  })
}

export interface NextServer {
  url: string
  /** What it printed so far (for failure messages). */
  output(): string
  stop(): Promise<void>
}

/** `next start` on a free loopback port, with `env` (read by the server component at request time). */
export async function nextStart(env: Record<string, string>): Promise<NextServer> {
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '--hostname', '127.0.0.1', '--port', '0'], {
    cwd: EXAMPLE_DIR,
    env: nextEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk
      const match = /Local:\s+(http:\/\/\S+)/.exec(output)
      if (match?.[1] && /Ready in/.test(output)) resolve(match[1])
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.once('exit', (code) => reject(new Error(`next start exited (${code}) before it was ready:\n${output}`)))
  })
  return { url, output: () => output, stop: () => stopGroup(child) }
}

function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    if (child.pid) process.kill(-child.pid, 'SIGTERM')
  })
}

const SINGLETONS = ['react', 'react-dom', '@tanstack/react-query', '@tanstack/query-core', '@orpc/client']

/**
 * Where the example's node_modules hold the packages that must exist once (a second React Query has its own
 * context, so DurableIteratorProvider would find no QueryClient), and whether the package is a real copy: a
 * symlink to the repository would resolve them from the repository's node_modules as well.
 */
export function installLayout(): { packageIsSymlink: boolean; copies: Record<string, string[]> } {
  const copies: Record<string, string[]> = Object.fromEntries(SINGLETONS.map((name) => [name, []]))
  const walk = (nodeModules: string) => {
    if (!existsSync(nodeModules)) return
    for (const entry of readdirSync(nodeModules)) {
      if (entry.startsWith('.')) continue
      const names = entry.startsWith('@') ? readdirSync(join(nodeModules, entry)).map((n) => `${entry}/${n}`) : [entry]
      for (const name of names) {
        const dir = join(nodeModules, name)
        if (lstatSync(dir).isSymbolicLink()) continue
        copies[name]?.push(relative(EXAMPLE_DIR, dir))
        walk(join(dir, 'node_modules'))
      }
    }
  }
  walk(join(EXAMPLE_DIR, 'node_modules'))
  return { packageIsSymlink: lstatSync(INSTALLED_PACKAGE).isSymbolicLink(), copies }
}

/** The browser's part of the build: every file under .next/static, relative to the example, with its text. */
export function clientBundleFiles(): { file: string; text: string }[] {
  const staticDir = join(EXAMPLE_DIR, '.next', 'static')
  const files: { file: string; text: string }[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (name.endsWith('.js')) files.push({ file: relative(EXAMPLE_DIR, path), text: readFileSync(path, 'utf8') })
    }
  }
  walk(staticDir)
  return files
}
