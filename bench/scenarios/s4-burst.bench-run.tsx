// @vitest-environment jsdom
import { Profiler } from 'react'
import { it } from 'vitest'
import type { ChatMessage } from '../../src/server/reference-app'
import { startApp } from '../../tests/client/harness'
import { runsOf, sleep, waitUntil, writeResult } from '../support/bench-env'
import { Received } from '../support/event-flow'
import { createPeer, PEER_NAMES } from '../support/peers'
import { mount } from '../support/react-root'
import { format, lossesOf, type Metric, oursAgainstEvery, type PeerName, Samples } from '../support/results'

const RUNS = runsOf(5)
const BURST_EVENTS = 10_000
const BURST_MS = 1_000
const BATCHES = 100
const ROOM = 's4'

const metrics: Metric[] = [
  { key: 'commits', label: 'React commits', better: 'lower' },
  { key: 'renderMs', label: 'render time, ms', better: 'lower' },
  { key: 'reachedOnEvent', label: 'events that reached onEvent', better: 'higher' },
  { key: 'lost', label: 'lost', better: 'lower' },
  { key: 'duplicated', label: 'duplicated', better: 'lower' },
  { key: 'drainMs', label: 'last event after, ms', better: 'lower' },
]

/** One consumer under a Profiler; 10 000 events in 1 s (100 batches of 100, every 10 ms). */
async function measure(name: PeerName): Promise<Record<string, number>> {
  const app = await startApp({ tokenTtlSeconds: 600 })
  const peer = createPeer(name, {
    app,
    durableUrl: app.server.durableUrl,
    tokenTtlSeconds: 600,
    refreshBeforeExpirySeconds: 1,
  })
  const received = new Received()
  const profile = { commits: 0, renderMs: 0 }
  const view = mount(
    <peer.Providers>
      <Profiler
        id="consumer"
        onRender={(_id, _phase, actualDurationMs) => {
          profile.commits++
          profile.renderMs += actualDurationMs
        }}
      >
        <peer.Consumer room={ROOM} onEvent={received.onEvent} />
      </Profiler>
    </peer.Providers>,
  )
  let published = 0
  const publish = () => {
    const message: ChatMessage = { text: String(published++), from: 'bench', sentAtMs: Date.now() }
    app.server.publish(`chat:${ROOM}`, message)
  }
  try {
    // One probe event proves the stream is subscribed; then the counters start from zero.
    const probe = setInterval(publish, 50)
    const ready = await waitUntil(() => received.count > 0, 30_000)
    clearInterval(probe)
    if (!ready) throw new Error(`${name}: the stream never delivered`)
    await sleep(500)
    const firstOfBurst = published
    const receivedBefore = received.count
    profile.commits = 0
    profile.renderMs = 0

    const startedMs = performance.now()
    for (let batch = 0; batch < BATCHES; batch++) {
      for (let index = 0; index < BURST_EVENTS / BATCHES; index++) publish()
      await sleep(BURST_MS / BATCHES)
    }
    const burstEndMs = performance.now()
    await waitUntil(() => received.count - receivedBefore >= BURST_EVENTS, 60_000)
    const drainMs = (received.atMs.at(-1) ?? burstEndMs) - startedMs
    // Anything still to come (duplicates, late renders) shows up in this second.
    await sleep(1000)
    const burst = received.numbers.slice(receivedBefore)
    const unique = new Set(burst.filter((number) => number >= firstOfBurst))
    return {
      commits: profile.commits,
      renderMs: profile.renderMs,
      reachedOnEvent: burst.length,
      lost: BURST_EVENTS - unique.size,
      duplicated: burst.length - unique.size,
      drainMs,
    }
  } finally {
    view.unmount()
    await app.server.close()
  }
}

it('s4: a burst of 10 000 events in 1 s', async () => {
  const started = performance.now()
  const samples = new Samples(metrics)
  for (let run = 0; run < RUNS; run++) {
    // One peer at a time: render time and drain time are timings.
    for (const name of PEER_NAMES) {
      const result = await measure(name)
      samples.add('', name, result)
      console.log(`s4 run ${run + 1}/${RUNS} ${name}:`, JSON.stringify(result))
    }
  }
  const table = samples.table(`${format(BURST_EVENTS)} events in ${BURST_MS / 1000} s, one component`)
  const commits = (name: PeerName) => samples.median('', name, 'commits')
  const every = (key: string, unit = '') => oursAgainstEvery(samples, '', key, PEER_NAMES, { unit })
  const burst = `A burst of ${format(BURST_EVENTS)} events in ${BURST_MS / 1000} s`
  const meaning = [
    `${burst}, React commits of the consuming component: ${every('commits')}.`,
    `Render time: ${every('renderMs', ' ms')}.`,
    ...PEER_NAMES.map(
      (name) =>
        `${name}: ${format(samples.median('', name, 'reachedOnEvent'))} of ${format(BURST_EVENTS)} events reached onEvent, ` +
        `the last ${format(samples.median('', name, 'drainMs'))} ms after the burst began.`,
    ),
  ]
  // Said only when the numbers show it: ours committing about once per event.
  if ((commits('ours') ?? 0) >= 0.9 * BURST_EVENTS) {
    meaning.push(
      'Ours renders once per event here: each event makes a new snapshot, and useSyncExternalStore renders every ' +
        'store change synchronously. The naive and upstream-style peers call setState from a loop, which React ' +
        "batches into one render per task; react-use-websocket's flushSync renders once per message by design.",
    )
  }
  const headline = [
    `${burst}, React commits: ${every('commits')}.`,
    `${burst}, render time: ${every('renderMs', ' ms')}; last event after: ${every('drainMs', ' ms')}.`,
  ]
  writeResult({
    id: 's4',
    title: 'A burst of 10 000 events in 1 s',
    runs: RUNS,
    method:
      `One component per peer, wrapped in React's <Profiler>; the server publishes ${format(BURST_EVENTS)} numbered events ` +
      `in ${BURST_MS / 1000} s (${BATCHES} batches, one every ${BURST_MS / BATCHES} ms). Commits and render time (the ` +
      "Profiler's actualDuration, development build of React under jsdom) count from the first event of the burst; " +
      '"last event after" is when the last one reached onEvent, from the start of the burst. One peer at a time.',
    scaledDown: [],
    tables: [table],
    meaning,
    headline,
    losses: lossesOf(table),
    durationSeconds: Math.round((performance.now() - started) / 1000),
  })
})
