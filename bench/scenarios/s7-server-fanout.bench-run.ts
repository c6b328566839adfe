import { type ChildProcess, fork } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { encodeRequestMessage, MessageType } from '@orpc/standard-server-peer'
import { it } from 'vitest'
import { WebSocketServer } from 'ws'
import { signDurableIteratorToken, startReferenceServer, verifyDurableIteratorToken } from '../../src/server'
import { SIGNING_KEY } from '../../tests/client/harness'
import { QUICK, runsOf, sleep, writeResult } from '../support/bench-env'
import { format, type Metric, median, Samples } from '../support/results'

const RUNS = runsOf(5)
const SUBSCRIBERS = QUICK ? 200 : 1000
const CONNECT_CONCURRENCY = 50
const LATENCY_EVENTS_PER_SECOND = 20
const LATENCY_EVENTS = QUICK ? 40 : 100
const BURST_EVENTS = QUICK ? 50 : 200
const TOKEN_ITERATIONS = QUICK ? 500 : 5000
const CHANNEL = 'chat:fanout'
const HUB = 'reference hub'
const BARE = 'bare ws broadcast'

const now = () => performance.timeOrigin + performance.now()

interface Target {
  urlTemplate: string
  publish(payload: object): void
  close(): Promise<void>
}

async function startHub(): Promise<Target> {
  const server = await startReferenceServer({ signingKey: SIGNING_KEY, tokenTtlSeconds: 600 })
  const token = await server.hub.issueToken(CHANNEL)
  return {
    urlTemplate: `${server.durableUrl}?id={id}&token=${encodeURIComponent(token)}`,
    publish: (payload) => server.publish(CHANNEL, payload),
    close: () => server.close(),
  }
}

/** The floor: a `ws` server that serializes each event once and sends the same frame to every socket. */
async function startBareBroadcast(): Promise<Target> {
  const http = createServer()
  const wss = new WebSocketServer({ server: http })
  const subscribed = JSON.stringify({ i: '1', p: { h: {} } })
  wss.on('connection', (socket) => socket.on('message', () => socket.send(subscribed)))
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done))
  let seq = 0
  return {
    urlTemplate: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/?id={id}`,
    publish: (payload) => {
      const frame = JSON.stringify({
        i: '1',
        t: 3,
        p: { e: 'message', d: { json: payload }, m: { id: String(seq++) } },
      })
      for (const socket of wss.clients) socket.send(frame)
    },
    close: async () => {
      for (const socket of wss.clients) socket.terminate()
      await new Promise<void>((done) => wss.close(() => done()))
      await new Promise<void>((done) => http.close(() => done()))
    },
  }
}

type Reply = Record<string, unknown> & { type: string }

/** The child's next reply of `type` (or its error). */
function reply(child: ChildProcess, type: string): Promise<Reply> {
  return new Promise((resolveReply, reject) => {
    const onMessage = (message: Reply) => {
      if (message.type === 'error') reject(new Error(String(message.message)))
      else if (message.type === type) resolveReply(message)
      else return
      child.off('message', onMessage)
    }
    child.on('message', onMessage)
  })
}

function ask(child: ChildProcess, command: object, replyType: string): Promise<Reply> {
  const answer = reply(child, replyType)
  child.send(command)
  return answer
}

async function measure(start: () => Promise<Target>): Promise<Record<string, number>> {
  const target = await start()
  const child = fork(resolve(process.cwd(), 'bench/fanout-clients.mjs'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  try {
    const subscribeFrame = await encodeRequestMessage('1', MessageType.REQUEST, {
      url: new URL('http://orpc/subscribe'),
      method: 'POST',
      headers: {},
      body: { json: undefined },
    })
    const connected = await ask(
      child,
      {
        type: 'connect',
        urlTemplate: target.urlTemplate,
        count: SUBSCRIBERS,
        concurrency: CONNECT_CONCURRENCY,
        subscribeFrame,
      },
      'connected',
    )
    const openMs = connected.openMs as number[]
    const subscribedMs = connected.subscribedMs as number[]

    // Delivery latency at a steady rate.
    await ask(child, { type: 'collect', events: LATENCY_EVENTS, timeoutMs: 60_000 }, 'collecting')
    const latencyDone = reply(child, 'collected')
    const cpuBefore = process.cpuUsage()
    for (let index = 0; index < LATENCY_EVENTS; index++) {
      target.publish({ n: index, t: now() })
      await sleep(1000 / LATENCY_EVENTS_PER_SECOND)
    }
    const latency = await latencyDone
    const cpu = process.cpuUsage(cpuBefore)

    // Fan-out throughput: a burst published back to back.
    await ask(child, { type: 'collect', events: BURST_EVENTS, timeoutMs: 120_000 }, 'collecting')
    const burstDone = reply(child, 'collected')
    const burstStartMs = now()
    for (let index = 0; index < BURST_EVENTS; index++) target.publish({ n: index, t: now() })
    const burst = await burstDone
    const burstSeconds = ((burst.lastMs as number) - burstStartMs) / 1000

    return {
      deliveriesPerSecond: (burst.deliveries as number) / burstSeconds,
      burstDelivered: (burst.deliveries as number) / (burst.expected as number),
      p50Ms: latency.p50Ms as number,
      p99Ms: latency.p99Ms as number,
      cpuUsPerDelivery: (cpu.user + cpu.system) / (latency.deliveries as number),
      openP50Ms: median(openMs) ?? Number.NaN,
      subscribedP50Ms: median(subscribedMs) ?? Number.NaN,
      connectAllSeconds: (connected.totalMs as number) / 1000,
    }
  } finally {
    const exited = new Promise((done) => child.once('exit', done))
    child.send({ type: 'close' })
    await exited
    await target.close()
  }
}

async function tokenCosts(): Promise<Record<string, number>> {
  const signingKey = SIGNING_KEY
  let token = ''
  let startedMs = performance.now()
  for (let index = 0; index < TOKEN_ITERATIONS; index++) {
    token = await signDurableIteratorToken({ chn: CHANNEL, rpc: ['sendMessage'] }, { signingKey, ttlSeconds: 600 })
  }
  const signUs = ((performance.now() - startedMs) * 1000) / TOKEN_ITERATIONS
  startedMs = performance.now()
  for (let index = 0; index < TOKEN_ITERATIONS; index++) {
    if (!(await verifyDurableIteratorToken(token, { signingKey }))) throw new Error('token refused')
  }
  const verifyUs = ((performance.now() - startedMs) * 1000) / TOKEN_ITERATIONS
  return { signUs, verifyUs }
}

const fanoutMetrics: Metric[] = [
  { key: 'deliveriesPerSecond', label: 'deliveries/s (burst)', better: 'higher' },
  { key: 'burstDelivered', label: 'share of burst delivered', better: 'higher', digits: 2 },
  { key: 'p50Ms', label: `p50 latency, ms (${LATENCY_EVENTS_PER_SECOND}/s)`, better: 'lower', digits: 1 },
  { key: 'p99Ms', label: `p99 latency, ms (${LATENCY_EVENTS_PER_SECOND}/s)`, better: 'lower', digits: 1 },
  { key: 'cpuUsPerDelivery', label: 'server CPU µs per delivery', better: 'lower', digits: 1 },
]
const connectMetrics: Metric[] = [
  { key: 'openP50Ms', label: 'upgrade, p50 ms', better: 'lower', digits: 1 },
  { key: 'subscribedP50Ms', label: 'upgrade + subscribed, p50 ms', better: 'lower', digits: 1 },
  { key: 'connectAllSeconds', label: `${format(SUBSCRIBERS)} sockets connected in, s`, better: 'lower', digits: 2 },
]
const tokenMetrics: Metric[] = [
  { key: 'signUs', label: 'sign a token, µs', better: 'lower', digits: 1 },
  { key: 'verifyUs', label: 'verify a token, µs', better: 'lower', digits: 1 },
]

it('s7: reference server fan-out, latency, upgrade and token costs', async () => {
  const started = performance.now()
  const fanout = new Samples([...fanoutMetrics, ...connectMetrics])
  const tokens = new Samples(tokenMetrics)
  for (let run = 0; run < RUNS; run++) {
    for (const [name, start] of [
      [HUB, startHub],
      [BARE, startBareBroadcast],
    ] as const) {
      const result = await measure(start)
      fanout.add('', name, result)
      console.log(`s7 run ${run + 1}/${RUNS} ${name}:`, JSON.stringify(result))
    }
    const costs = await tokenCosts()
    tokens.add('', HUB, costs)
    console.log(`s7 run ${run + 1}/${RUNS} tokens:`, JSON.stringify(costs))
  }
  const split = (samples: Samples, metrics: Metric[], caption: string) => {
    const table = samples.table(caption, HUB)
    const keys = new Set(metrics.map((metric) => metric.key))
    return { ...table, metrics: table.metrics.filter((metric) => keys.has(metric.key)) }
  }
  const value = (name: string, key: string, digits = 0) => format(fanout.median('', name, key), digits)
  const ratio = (key: string) => {
    const hub = fanout.median('', HUB, key)
    const bare = fanout.median('', BARE, key)
    return hub && bare ? format(bare / hub, 1) : 'n/a'
  }
  writeResult({
    id: 's7',
    title: `Reference server: ${format(SUBSCRIBERS)} subscribers on one channel`,
    runs: RUNS,
    method:
      `The reference server runs in the benchmark process; ${format(SUBSCRIBERS)} WebSocket subscribers run in a child ` +
      `process (bench/fanout-clients.mjs), connecting ${CONNECT_CONCURRENCY} at a time, each with the upgrade URL's token ` +
      'and a subscribe frame. Latency: the time from publish to arrival of each delivery (wall clock of both ' +
      `processes), with ${LATENCY_EVENTS} events published at ${LATENCY_EVENTS_PER_SECOND}/s. Throughput: ${BURST_EVENTS} ` +
      'events published back to back, deliveries divided by the time until the last one arrived. Server CPU is the ' +
      "benchmark process's user+system time over the latency phase, per delivery. The same clients against a bare " +
      '`ws` server that serializes each event once and sends it to every socket (no tokens, no oRPC peer, no resume log) ' +
      `give the floor. Token costs: ${format(TOKEN_ITERATIONS)} HS256 signs and verifies (jose) in a row.`,
    scaledDown: QUICK ? [`quick mode: ${SUBSCRIBERS} subscribers, 1 run`] : [],
    tables: [
      split(fanout, fanoutMetrics, 'fan-out'),
      split(fanout, connectMetrics, 'connection set-up'),
      tokens.table('token costs', HUB),
    ],
    headline: [
      `Reference server, ${format(SUBSCRIBERS)} subscribers on one channel: ${value(HUB, 'deliveriesPerSecond')} ` +
        `deliveries/s in a burst, p50/p99 latency ${value(HUB, 'p50Ms', 1)}/${value(HUB, 'p99Ms', 1)} ms at ` +
        `${LATENCY_EVENTS_PER_SECOND} events/s; a bare \`ws\` broadcast does ${ratio('deliveriesPerSecond')}× the deliveries/s.`,
    ],
    meaning: [
      `The hub made ${value(HUB, 'deliveriesPerSecond')} deliveries/s to ${format(SUBSCRIBERS)} subscribers in a burst ` +
        `(the bare broadcast: ${value(BARE, 'deliveriesPerSecond')}, ${ratio('deliveriesPerSecond')}× the hub); at ` +
        `${LATENCY_EVENTS_PER_SECOND} events/s a delivery took ${value(HUB, 'p50Ms', 1)} ms at the median and ` +
        `${value(HUB, 'p99Ms', 1)} ms at p99 (bare: ${value(BARE, 'p50Ms', 1)} / ${value(BARE, 'p99Ms', 1)} ms).`,
      `An upgrade with its token check took ${value(HUB, 'openP50Ms', 1)} ms at the median (bare ws: ` +
        `${value(BARE, 'openP50Ms', 1)} ms); verifying a token alone costs ${format(tokens.median('', HUB, 'verifyUs'), 1)} µs.`,
    ],
    // The bare broadcast is a floor, not an alternative: the hub's cost over it is said above, not listed as a loss.
    losses: [],
    durationSeconds: Math.round((performance.now() - started) / 1000),
  })
})
