// Many WebSocket subscribers in one Node process, for scenario 7 (bench/scenarios/s7-server-fanout.bench-run.ts),
// which forks one or more of these (bench/support/fanout-client-group.ts) so that the server and its clients do not
// share an event loop, and so that no process holds more sockets than its file descriptors allow. Commands arrive
// over IPC (the parent forks with `serialization: 'advanced'`, so typed arrays cross as they are):
//   { type: 'connect', urlTemplate, count, concurrency, subscribeFrame } → { type: 'connected', openMs, subscribedMs }
//   { type: 'collect', events, timeoutMs } → { type: 'collecting' }, later { type: 'collected', latenciesMs, ... }
//   { type: 'close' } → closes every socket and exits.
// Event frames carry `t`, the wall-clock time (performance.timeOrigin + performance.now()) they were published at.
import { randomUUID } from 'node:crypto'
import WebSocket from 'ws'

const now = () => performance.timeOrigin + performance.now()
const sockets = []
let collection

function onFrame(data) {
  const frame = JSON.parse(data.toString())
  if (frame.t !== 3 || frame.p?.e !== 'message' || !collection) return
  const at = now()
  const published = frame.p.d?.json?.t
  if (typeof published === 'number') collection.latencies.push(at - published)
  collection.firstMs ??= at
  collection.lastMs = at
  if (collection.latencies.length >= collection.expected) finishCollection()
}

function openOne(urlTemplate, subscribeFrame) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const socket = new WebSocket(urlTemplate.replace('{id}', randomUUID()))
    let openMs
    socket.on('open', () => {
      openMs = performance.now() - started
      socket.send(subscribeFrame)
    })
    socket.on('message', (data) => {
      if (openMs === undefined) return
      const frame = JSON.parse(data.toString())
      if (frame.t === undefined && frame.i === '1') {
        socket.removeAllListeners('message')
        socket.on('message', onFrame)
        sockets.push(socket)
        resolve({ openMs, subscribedMs: performance.now() - started })
      }
    })
    socket.on('error', reject)
    socket.on('close', (code) => reject(new Error(`closed with ${code} before subscribing`)))
  })
}

async function connect({ urlTemplate, count, concurrency, subscribeFrame }) {
  const openMs = []
  const subscribedMs = []
  let next = 0
  const started = performance.now()
  async function worker() {
    while (next < count) {
      next++
      const timing = await openOne(urlTemplate, subscribeFrame)
      openMs.push(timing.openMs)
      subscribedMs.push(timing.subscribedMs)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { type: 'connected', openMs, subscribedMs, totalMs: performance.now() - started }
}

function finishCollection() {
  if (!collection) return
  const { latencies, firstMs, lastMs, timer, expected } = collection
  clearTimeout(timer)
  collection = undefined
  // Every latency goes back: percentiles are taken over all the client processes together.
  process.send({
    type: 'collected',
    expected,
    deliveries: latencies.length,
    latenciesMs: Float64Array.from(latencies),
    firstMs,
    lastMs,
  })
}

process.on('message', async (command) => {
  try {
    if (command.type === 'connect') process.send(await connect(command))
    else if (command.type === 'collect') {
      collection = {
        expected: command.events * sockets.length,
        latencies: [],
        firstMs: undefined,
        lastMs: undefined,
        timer: setTimeout(finishCollection, command.timeoutMs),
      }
      process.send({ type: 'collecting' })
    } else if (command.type === 'close') {
      for (const socket of sockets) socket.terminate()
      process.exit(0)
    }
  } catch (error) {
    process.send({ type: 'error', message: String(error?.stack ?? error) })
  }
})
// The benchmark went away: go too.
process.on('disconnect', () => process.exit(0))
