import { type ChildProcess, spawn } from 'node:child_process'

export interface DemoProcess {
  pageUrl: string
  stop(): Promise<void>
}

/**
 * Starts the demo with the README's own command (`npm start`, or e.g. `['run', 'demo', '--', '--engine',
 * 'cloudflare']`), on a free port, and resolves with the page URL it prints.
 */
export async function startDemo(args: string[] = ['start', '--']): Promise<DemoProcess> {
  const child = spawn('npm', [...args, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, FORCE_COLOR: '0' },
  })
  const pageUrl = await new Promise<string>((resolve, reject) => {
    let output = ''
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /Page:\s+(http:\/\/\S+)/.exec(output)
      if (match?.[1]) resolve(match[1])
    }
    child.stdout?.on('data', read)
    child.stderr?.on('data', read)
    child.once('exit', (code) =>
      reject(new Error(`npm ${args.join(' ')} exited (${code}) before the page was up:\n${output}`)),
    )
  })
  return { pageUrl, stop: () => stopGroup(child) }
}

// npm runs the demo in a child shell: signal the whole process group, and wait for it to go.
function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once('exit', () => resolve())
    if (child.pid) process.kill(-child.pid, 'SIGTERM')
  })
}
