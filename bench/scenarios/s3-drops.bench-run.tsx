// @vitest-environment jsdom
import { it } from 'vitest'
import { startApp } from '../../tests/client/harness'
import { FaultProxy } from '../../tests/support/fault-proxy'
import { QUICK, runsOf, waitUntil, writeResult } from '../support/bench-env'
import { publishSteadily, Received } from '../support/event-flow'
import { createPeer, PEER_NAMES } from '../support/peers'
import { mount } from '../support/react-root'
import { format, lossesOf, type Metric, oursAgainstEvery, type PeerName, Samples } from '../support/results'

const RUNS = runsOf(3)
const DROPS = QUICK ? 10 : 100
const TIME_BOX_MS = QUICK ? 20_000 : 120_000
/** Events flow for at least this long between two drops. */
const MIN_DROP_INTERVAL_MS = 200
const EVENTS_PER_SECOND = 200
const TOKEN_TTL_SECONDS = 600
const ROOM = 's3'

const metrics: Metric[] = [
  { key: 'drops', label: 'drops done', better: 'higher' },
  { key: 'lost', label: 'events lost', better: 'lower' },
  { key: 'duplicated', label: 'events duplicated', better: 'lower' },
  { key: 'outOfOrder', label: 'out of order', better: 'lower' },
  { key: 'resumeGaps', label: 'resumes past retention', better: 'lower' },
  { key: 'received', label: 'events received', better: 'none' },
]

/**
 * One consumer behind a fault proxy; the proxy resets its connection once events flow again after the previous reset
 * (and at most every MIN_DROP_INTERVAL_MS), DROPS times or until the time box runs out. Then everything published
 * must arrive once, in order.
 */
async function measure(name: PeerName): Promise<Record<string, number>> {
  const app = await startApp({ tokenTtlSeconds: TOKEN_TTL_SECONDS })
  const proxy = await FaultProxy.start(app.server.durableUrl)
  const peer = createPeer(name, {
    app,
    durableUrl: proxy.via(app.server.durableUrl),
    tokenTtlSeconds: TOKEN_TTL_SECONDS,
    refreshBeforeExpirySeconds: 1,
  })
  const received = new Received()
  const view = mount(
    <peer.Providers>
      <peer.Consumer room={ROOM} onEvent={received.onEvent} />
    </peer.Providers>,
  )
  const publisher = publishSteadily(app.server, `chat:${ROOM}`, EVENTS_PER_SECOND)
  try {
    const deadline = performance.now() + TIME_BOX_MS
    let drops = 0
    let lastDropMs = 0
    while (drops < DROPS) {
      const flowing = await waitUntil(
        () => (received.atMs.at(-1) ?? 0) > lastDropMs && performance.now() - lastDropMs >= MIN_DROP_INTERVAL_MS,
        Math.max(0, deadline - performance.now()),
        2,
      )
      if (!flowing) break
      proxy.drop()
      drops++
      lastDropMs = performance.now()
    }
    publisher.stop()
    await received.drain(publisher.published, 30_000)
    return {
      drops,
      received: received.count,
      resumeGaps: app.server.stats().resumeGaps,
      ...received.lossesAndDuplicates(publisher.published),
    }
  } finally {
    publisher.stop()
    view.unmount()
    await proxy.close()
    await app.server.close()
  }
}

it('s3: events lost and duplicated over forced drops', async () => {
  const started = performance.now()
  const samples = new Samples(metrics)
  for (let run = 0; run < RUNS; run++) {
    // Side by side, each peer with its own server and fault proxy: these are counts, not timings.
    const results = await Promise.all(PEER_NAMES.map((name) => measure(name)))
    PEER_NAMES.forEach((name, index) => {
      samples.add('', name, results[index] ?? {})
    })
    console.log(`s3 run ${run + 1}/${RUNS}:`, JSON.stringify(results))
  }
  const table = samples.table(`${EVENTS_PER_SECOND} events/s, up to ${DROPS} drops in ${TIME_BOX_MS / 1000} s`)
  const value = (name: PeerName, key: string) => format(samples.median('', name, key))
  const meaning = PEER_NAMES.map(
    (name) =>
      `${name}: ${value(name, 'drops')} drops, ${value(name, 'lost')} lost, ${value(name, 'duplicated')} duplicated, ` +
      `${value(name, 'outOfOrder')} out of order.`,
  )
  const lostPastRetention = PEER_NAMES.filter(
    (name) => (samples.median('', name, 'lost') ?? 0) > 0 && (samples.median('', name, 'resumeGaps') ?? 0) > 0,
  )
  if (lostPastRetention.length > 0) {
    meaning.push(
      `${lostPastRetention.join(', ')} resumed by last event id, but after waits longer than the server's retention ` +
        `(${1000 / EVENTS_PER_SECOND} s of events at this rate), so the resume point had already been evicted: with a ` +
        'drop before every minUptime of uptime (5 s by default), partysocket never resets its backoff, which grows to ' +
        'its maximum (10 s by default). They are not told; ours reports such a gap (`gaps`, `onGap`), and here it ' +
        'never had one because it reconnects at once.',
    )
  }
  const every = (key: string) => oursAgainstEvery(samples, '', key, PEER_NAMES)
  const headline = [
    `Forced drops at ${EVENTS_PER_SECOND} events/s (up to ${DROPS} in ${TIME_BOX_MS / 1000} s), drops done: ` +
      `${every('drops')}.`,
    `Forced drops, events lost: ${every('lost')}; duplicated: ${every('duplicated')}.`,
  ]
  writeResult({
    id: 's3',
    title: 'Events lost and duplicated over forced drops',
    runs: RUNS,
    method:
      `One component per peer behind a TCP fault proxy, ${EVENTS_PER_SECOND} numbered events/s. The proxy resets the ` +
      'connection (no close frame) once an event has arrived after the previous reset, and at most every ' +
      `${MIN_DROP_INTERVAL_MS} ms. Afterwards everything ` +
      'published must arrive: lost, duplicated and out-of-order events are counted from the first event the ' +
      'component received, after waiting for replays. The reference server keeps the last 1000 events of a channel for ' +
      `resume (${1000 / EVENTS_PER_SECOND} s at this rate): a client away longer resumes past what is retained, and the ` +
      'server counts a "resume past retention". The peers run side by side, each with its own server and proxy.',
    scaledDown: [
      `Time-boxed: up to ${DROPS} drops or ${TIME_BOX_MS / 1000} s, whichever comes first. partysocket's default ` +
        "backoff (3 s, ×1.3 up to 10 s; the count resets only after 5 s up) and react-use-websocket's 5 s interval " +
        `make ${DROPS} drops take many minutes for the default peers, and the tuned ones wait up to 2 s; "drops done" ` +
        'says how many each got through.',
      ...(QUICK ? ['quick mode: 1 run'] : [`${RUNS} runs instead of 5 (each is up to ${TIME_BOX_MS / 1000} s).`]),
    ],
    tables: [table],
    meaning,
    headline,
    losses: lossesOf(table),
    durationSeconds: Math.round((performance.now() - started) / 1000),
  })
})
