import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ReferenceServerOptions } from '../../src/server'

// Vitest runs from the package root (under jsdom, import.meta.url is not a file: URL).
const builtServer = resolve(process.cwd(), 'dist/server.js')

export interface ServerProcess {
  rpcUrl: string
  durableUrl: string
  stop(): Promise<void>
}

/**
 * Runs the built reference server in its own Node process, with its own clock: what a test needs when
 * it moves the client's clock (vi.setSystemTime) but not the server's.
 */
export async function startServerProcess(options: ReferenceServerOptions): Promise<ServerProcess> {
  if (!existsSync(builtServer)) {
    throw new Error(`${builtServer} is missing: run \`npm run build\` first (\`npm test\` does).`)
  }
  const script = `
    const { startReferenceServer } = await import(${JSON.stringify(builtServer)})
    const server = await startReferenceServer(${JSON.stringify(options)})
    process.stdout.write(JSON.stringify({ rpcUrl: server.rpcUrl, durableUrl: server.durableUrl }) + '\\n')
    process.on('SIGTERM', () => server.close().then(() => process.exit(0)))
  `
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  const urls = await firstLine(child)
  return {
    ...JSON.parse(urls),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const newline = output.indexOf('\n')
      if (newline >= 0) resolve(output.slice(0, newline))
    })
    child.once('exit', (code) => reject(new Error(`the server process exited (${code}) before it listened`)))
  })
}
