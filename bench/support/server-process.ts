import { type ChildProcess, fork } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { DurableIteratorHubStats, ReferenceServerOptions } from '../../src/server'

// Vitest runs from the package root (under jsdom, import.meta.url is not a file: URL).
const root = process.cwd()
const script = resolve(root, 'bench/server-process.mjs')
const builtServer = resolve(root, 'dist/server.js')

/** The reference server in a process of its own (bench/server-process.mjs), which can be killed and started again. */
export interface ServerProcess {
  rpcUrl: string
  durableUrl: string
  port: number
  /** Publishes in the server process; resolves once it has (so a kill after it cannot lose the publish itself). */
  publish(channel: string, payload: object): Promise<void>
  stats(): Promise<DurableIteratorHubStats>
  /** SIGKILL: no close frames, no graceful shutdown; resolves when the process is gone. */
  kill(): Promise<void>
}

function newestMtimeMs(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** The process runs dist/: refuse to measure a build older than src/. */
function assertBuildIsCurrent(): void {
  let builtAtMs: number
  try {
    builtAtMs = statSync(builtServer).mtimeMs
  } catch {
    throw new Error(`${builtServer} is missing: run \`npm run build\` first (\`npm run bench\` does).`)
  }
  if (newestMtimeMs(resolve(root, 'src')) > builtAtMs) {
    throw new Error('dist/ is older than src/: run `npm run build` first (`npm run bench` does).')
  }
}

export async function startServerProcess(options: ReferenceServerOptions): Promise<ServerProcess> {
  assertBuildIsCurrent()
  const child: ChildProcess = fork(script, [JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  let nextId = 0
  const waiting = new Map<
    number,
    { answer: (message: Record<string, unknown>) => void; fail: (error: Error) => void }
  >()
  const exited = new Promise<void>((done) =>
    child.once('exit', () => {
      for (const { fail } of waiting.values()) fail(new Error('the server process exited before it answered'))
      waiting.clear()
      done()
    }),
  )
  const ready = new Promise<{ rpcUrl: string; durableUrl: string; port: number }>((resolveReady, reject) => {
    child.once('exit', (code) => reject(new Error(`the server process exited (${code}) before it listened`)))
    child.on('message', (message: Record<string, unknown> & { type: string; id?: number }) => {
      if (message.type === 'listening') resolveReady(message as never)
      else if (message.type === 'error') reject(new Error(String(message.message)))
      else if (message.id !== undefined) {
        waiting.get(message.id)?.answer(message)
        waiting.delete(message.id)
      }
    })
  })
  const ask = (command: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((answer, fail) => {
      if (!child.connected) {
        fail(new Error('the server process is gone'))
        return
      }
      const id = nextId++
      waiting.set(id, { answer, fail })
      child.send({ ...command, id })
    })
  const urls = await ready
  return {
    ...urls,
    publish: async (channel, payload) => {
      await ask({ type: 'publish', channel, payload })
    },
    stats: async () => (await ask({ type: 'stats' })).stats as DurableIteratorHubStats,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}
