// The reference server in a Node process of its own, for scenario 2's restart
// (bench/scenarios/s2-reconnects-and-gaps.bench-run.tsx forks it through bench/support/server-process.ts): killing
// this process loses its hub and every retained event, as a real restart does. It runs the built package
// (dist/server.js), which `npm run bench` builds from src/ first. Options (JSON) come as the first argument; commands
// arrive over IPC:
//   { type: 'publish', id, channel, payload } → { type: 'published', id }
//   { type: 'stats', id } → { type: 'stats', id, stats }
// On start it sends { type: 'listening', rpcUrl, durableUrl, port }.
import { existsSync } from 'node:fs'

const entry = new URL('../dist/server.js', import.meta.url)
if (!existsSync(entry)) {
  process.send?.({ type: 'error', message: 'dist/server.js is missing: run `npm run build` first' })
  process.exit(1)
}
const { startReferenceServer } = await import(entry.href)
const server = await startReferenceServer(JSON.parse(process.argv[2] ?? '{}'))

process.on('message', (command) => {
  if (command.type === 'publish') {
    server.publish(command.channel, command.payload)
    process.send({ type: 'published', id: command.id })
  } else if (command.type === 'stats') {
    process.send({ type: 'stats', id: command.id, stats: server.stats() })
  }
})
// The benchmark went away: go too.
process.on('disconnect', () => process.exit(0))
process.send({
  type: 'listening',
  rpcUrl: server.rpcUrl,
  durableUrl: server.durableUrl,
  port: Number(new URL(server.durableUrl).port),
})
