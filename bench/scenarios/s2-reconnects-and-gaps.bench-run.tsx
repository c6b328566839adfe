// @vitest-environment jsdom
import { it } from 'vitest'
import { startApp } from '../../tests/client/harness'
import { QUICK, runsOf, sleep, waitUntil, writeResult } from '../support/bench-env'
import { publishSteadily, Received } from '../support/event-flow'
import { createPeer, PEER_NAMES } from '../support/peers'
import { mount } from '../support/react-root'
import { format, lossesOf, type Metric, type PeerName, Samples, timesOurs } from '../support/results'

const RUNS = runsOf(5)
const EVENTS_PER_SECOND = 100
const SHORT_TOKEN_SECONDS = 3
const LONG_TOKEN_SECONDS = 600
const EXPIRY_WINDOW_MS = QUICK ? 6_000 : 9_000
const RESTART_DOWNTIME_MS = 1_000
const RECOVERY_TIMEOUT_MS = 30_000
const ROOM = 's2'

type Disruption = 'token expiry' | 'server-side drop' | 'server restart'
const DISRUPTIONS: readonly Disruption[] = ['token expiry', 'server-side drop', 'server restart']

const metrics: Metric[] = [
  // Events come every 10 ms: gaps that differ by less than two of them are the same gap.
  { key: 'gapMs', label: 'gap, ms', better: 'lower', noise: 20 },
  { key: 'reconnects', label: 'reconnects', better: 'lower' },
  { key: 'lost', label: 'events lost', better: 'lower' },
  { key: 'duplicated', label: 'events duplicated', better: 'lower' },
]

/**
 * One consumer of one peer, events at 100/s. Token expiry: the longest silence over a window of several 3-second
 * token lifetimes. Drop and restart: from the last event before the disruption to the first one after it.
 */
async function measure(name: PeerName, disruption: Disruption): Promise<Record<string, number | null>> {
  const tokenTtlSeconds = disruption === 'token expiry' ? SHORT_TOKEN_SECONDS : LONG_TOKEN_SECONDS
  const app = await startApp({ tokenTtlSeconds })
  const peer = createPeer(name, {
    app,
    durableUrl: app.server.durableUrl,
    tokenTtlSeconds,
    refreshBeforeExpirySeconds: 1,
  })
  const received = new Received()
  const view = mount(
    <peer.Providers>
      <peer.Consumer room={ROOM} onEvent={received.onEvent} />
    </peer.Providers>,
  )
  const publisher = publishSteadily(app.server, `chat:${ROOM}`, EVENTS_PER_SECOND)
  let gapMs: number | null = null
  try {
    if (!(await waitUntil(() => received.count > 0, RECOVERY_TIMEOUT_MS))) throw new Error(`${name}: no first event`)
    // Settled: a second of steady flow on the first socket.
    await sleep(1000)
    const socketsBefore = app.server.stats().upgradesAccepted
    if (disruption === 'token expiry') {
      const fromMs = performance.now()
      await sleep(EXPIRY_WINDOW_MS)
      gapMs = received.longestSilenceMs(fromMs, performance.now())
    } else {
      const atMs = performance.now()
      if (disruption === 'server-side drop') app.server.hub.dropConnections()
      else await app.server.interrupt(RESTART_DOWNTIME_MS)
      await waitUntil(() => received.around(atMs).firstAfterMs !== undefined, RECOVERY_TIMEOUT_MS)
      const { lastBeforeMs, firstAfterMs } = received.around(atMs)
      gapMs = lastBeforeMs !== undefined && firstAfterMs !== undefined ? firstAfterMs - lastBeforeMs : null
      await sleep(500)
    }
    publisher.stop()
    await received.drain(publisher.published, 20_000)
    return {
      gapMs,
      reconnects: app.server.stats().upgradesAccepted - socketsBefore,
      ...received.lossesAndDuplicates(publisher.published),
    }
  } finally {
    publisher.stop()
    view.unmount()
    await app.server.close()
  }
}

it('s2: reconnects and gaps on token expiry, server-side drop and server restart', async () => {
  const started = performance.now()
  const samples = new Samples(metrics)
  for (let run = 0; run < RUNS; run++) {
    for (const disruption of DISRUPTIONS) {
      // Side by side, each peer against its own server. Contention can only lengthen the shortest gaps (ours).
      const results = await Promise.all(PEER_NAMES.map((name) => measure(name, disruption)))
      PEER_NAMES.forEach((name, index) => {
        samples.add(disruption, name, results[index] ?? {})
      })
      console.log(`s2 run ${run + 1}/${RUNS} ${disruption}:`, JSON.stringify(results))
    }
  }
  const table = samples.table(`one component, ${EVENTS_PER_SECOND} events/s`)
  const gap = (disruption: Disruption, name: PeerName) => samples.median(disruption, name, 'gapMs')
  const meaning = DISRUPTIONS.map((disruption) => {
    const others = PEER_NAMES.filter((name) => name !== 'ours')
      .map(
        (name) =>
          `${name} ${format(gap(disruption, name))} ms (${timesOurs(gap(disruption, name), gap(disruption, 'ours'))})`,
      )
      .join(', ')
    const downtime =
      disruption === 'server restart' ? ` (the server was down for ${format(RESTART_DOWNTIME_MS)} ms of it)` : ''
    return `${disruption}: events stopped for ${format(gap(disruption, 'ours'))} ms with ours${downtime}; ${others}.`
  })
  meaning.push(
    "The peers' gaps are their reconnect delays: partysocket waits 3 s before its first retry (then ×1.3, up to " +
      "10 s), react-use-websocket 5 s, and oRPC's retry plugin resubscribes every 2 s until the socket is back. " +
      'Ours retries at once, then backs off from 250 ms with jitter.',
  )
  const others = (disruption: Disruption) =>
    PEER_NAMES.filter((name) => name !== 'ours')
      .map((name) => `${name} ${format(gap(disruption, name))} ms`)
      .join(', ')
  const headline = DISRUPTIONS.map(
    (disruption) =>
      `${disruption}: events stopped for ${format(gap(disruption, 'ours'))} ms with ours (${others(disruption)}); ` +
      `reconnects: ours ${format(samples.median(disruption, 'ours', 'reconnects'))}.`,
  )
  writeResult({
    id: 's2',
    title: 'Reconnects and gaps: token expiry, server-side drop, server restart',
    runs: RUNS,
    method:
      `One component per peer, ${EVENTS_PER_SECOND} events/s. Token expiry: ${SHORT_TOKEN_SECONDS}-second tokens, ` +
      `the longest time without an event over ${EXPIRY_WINDOW_MS / 1000} s, and the reconnects in that time. ` +
      'Server-side drop: the hub cuts every socket (no close frame). Server restart: the server stops listening for ' +
      `${RESTART_DOWNTIME_MS / 1000} s and comes back with its retained events (${LONG_TOKEN_SECONDS}-second tokens for ` +
      'both). The gap is the time from the last event received before the disruption to the first one after it. ' +
      'Lost and duplicated are counted over everything published, after waiting for late (replayed) events. ' +
      'The peers run side by side, each against its own server.',
    scaledDown: QUICK ? ['quick mode: a 6-second token-expiry window, 1 run'] : [],
    tables: [table],
    meaning,
    headline,
    losses: lossesOf(table),
    durationSeconds: Math.round((performance.now() - started) / 1000),
  })
})
