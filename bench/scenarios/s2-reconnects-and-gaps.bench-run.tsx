// @vitest-environment jsdom
import { it } from 'vitest'
import { SIGNING_KEY, startApp, tokenClient } from '../../tests/client/harness'
import { QUICK, runsOf, sleep, waitUntil, writeResult } from '../support/bench-env'
import { publishSteadily, publishSteadilyVia, Received } from '../support/event-flow'
import { createPeer, OTHER_PEER_NAMES, PEER_NAMES } from '../support/peers'
import { mount } from '../support/react-root'
import { format, lossesOf, type Metric, oursAgainstEvery, type PeerName, Samples, timesOurs } from '../support/results'
import { type ServerProcess, startServerProcess } from '../support/server-process'

const RUNS = runsOf(5)
const EVENTS_PER_SECOND = 100
const SHORT_TOKEN_SECONDS = 3
const LONG_TOKEN_SECONDS = 600
const EXPIRY_WINDOW_MS = QUICK ? 6_000 : 9_000
const OUTAGE_DOWNTIME_MS = 1_000
const RECOVERY_TIMEOUT_MS = 30_000
const ROOM = 's2'
const CHANNEL = `chat:${ROOM}`

/** Disruptions the server process survives: the peers run side by side, each against its own server. */
type InProcessDisruption = 'token expiry' | 'server-side drop' | 'outage, hub kept'
const IN_PROCESS: readonly InProcessDisruption[] = ['token expiry', 'server-side drop', 'outage, hub kept']
const RESTART = 'restart, new process'

const metrics: Metric[] = [
  // Events come every 10 ms: gaps that differ by less than two of them are the same gap.
  { key: 'gapMs', label: 'gap, ms', better: 'lower', noise: 20 },
  { key: 'reconnects', label: 'reconnects', better: 'lower' },
  { key: 'lost', label: 'events lost', better: 'lower' },
  { key: 'duplicated', label: 'events duplicated', better: 'lower' },
]
const restartMetrics: Metric[] = [
  { key: 'gapMs', label: 'gap, ms', better: 'lower', noise: 20 },
  // Context: from the kill to the new process listening; the same server start-up for every peer.
  { key: 'downMs', label: 'server down, ms', better: 'none' },
  { key: 'reconnects', label: 'sockets on the new process', better: 'lower' },
  { key: 'lost', label: 'events lost', better: 'lower' },
  { key: 'duplicated', label: 'events duplicated', better: 'lower' },
  // Context: whether the app was told that events may be missing (n/a: the peer has no way to say so).
  { key: 'gapsReported', label: 'gaps reported to the app', better: 'none' },
]

/**
 * One consumer of one peer, events at 100/s, against its own in-process reference server. Token expiry: the longest
 * silence over a window of several 3-second token lifetimes. Drop and outage: the gap around the disruption (see
 * `Received.gapAround`).
 */
async function measure(name: PeerName, disruption: InProcessDisruption): Promise<Record<string, number | null>> {
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
  const publisher = publishSteadily(app.server, CHANNEL, EVENTS_PER_SECOND)
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
      const firstAfter = publisher.published
      if (disruption === 'server-side drop') app.server.hub.dropConnections()
      // Stops listening and cuts every socket; the process, its hub and the retained events stay.
      else await app.server.interrupt(OUTAGE_DOWNTIME_MS)
      await waitUntil(() => received.firstArrivalFrom(firstAfter) !== undefined, RECOVERY_TIMEOUT_MS)
      gapMs = received.gapAround(atMs, firstAfter) ?? null
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

/**
 * One consumer of one peer against a reference server in its own process, events at 100/s published into it. The
 * process is killed (SIGKILL) and a new one started on the same port with the same signing key: its hub has no
 * retained events and no memory of the clients.
 */
async function measureRestart(name: PeerName): Promise<Record<string, number | null>> {
  const options = { signingKey: SIGNING_KEY, tokenTtlSeconds: LONG_TOKEN_SECONDS }
  let server: ServerProcess = await startServerProcess(options)
  const app = tokenClient(server.rpcUrl)
  const peer = createPeer(name, {
    app,
    durableUrl: server.durableUrl,
    tokenTtlSeconds: LONG_TOKEN_SECONDS,
    refreshBeforeExpirySeconds: 1,
  })
  const received = new Received()
  let gapsReported = 0
  const view = mount(
    <peer.Providers>
      <peer.Consumer
        room={ROOM}
        onEvent={received.onEvent}
        onGap={() => {
          gapsReported++
        }}
      />
    </peer.Providers>,
  )
  const publisher = publishSteadilyVia((message) => server.publish(CHANNEL, message), EVENTS_PER_SECOND)
  try {
    if (!(await waitUntil(() => received.count > 0, RECOVERY_TIMEOUT_MS))) throw new Error(`${name}: no first event`)
    await sleep(1000)
    // Everything published so far is in the old hub; nothing is on its way to it when it dies.
    await publisher.pause()
    const firstAfterRestart = publisher.published
    const killedAtMs = performance.now()
    await server.kill()
    server = await startServerProcess({ ...options, port: server.port })
    const downMs = performance.now() - killedAtMs
    publisher.resume()
    await waitUntil(() => received.firstArrivalFrom(firstAfterRestart) !== undefined, RECOVERY_TIMEOUT_MS)
    const gapMs = received.gapAround(killedAtMs, firstAfterRestart) ?? null
    await sleep(500)
    await publisher.pause()
    publisher.stop()
    await received.drain(publisher.published, 20_000)
    return {
      gapMs,
      downMs,
      reconnects: (await server.stats()).upgradesAccepted,
      ...received.lossesAndDuplicates(publisher.published),
      gapsReported: peer.reportsGaps ? gapsReported : null,
    }
  } finally {
    publisher.stop()
    view.unmount()
    await server.kill()
  }
}

it('s2: reconnects and gaps on token expiry, server-side drop, an outage and a restart', async () => {
  const started = performance.now()
  const samples = new Samples(metrics)
  const restarts = new Samples(restartMetrics)
  for (let run = 0; run < RUNS; run++) {
    for (const disruption of IN_PROCESS) {
      // Side by side, each peer against its own server. Contention can only lengthen the shortest gaps (ours).
      const results = await Promise.all(PEER_NAMES.map((name) => measure(name, disruption)))
      PEER_NAMES.forEach((name, index) => {
        samples.add(disruption, name, results[index] ?? {})
      })
      console.log(`s2 run ${run + 1}/${RUNS} ${disruption}:`, JSON.stringify(results))
    }
    // One peer at a time: the new process's start-up is part of every gap, and must not compete with six others.
    for (const name of PEER_NAMES) {
      const result = await measureRestart(name)
      restarts.add(RESTART, name, result)
      console.log(`s2 run ${run + 1}/${RUNS} ${RESTART} ${name}:`, JSON.stringify(result))
    }
  }
  const table = samples.table(`one component, ${EVENTS_PER_SECOND} events/s, the server process kept`)
  const restartTable = restarts.table(
    `one component, ${EVENTS_PER_SECOND} events/s, the server process killed and started again`,
  )

  const gapOf = (group: string, name: PeerName) => (group === RESTART ? restarts : samples).median(group, name, 'gapMs')
  const gapLine = (group: string) =>
    OTHER_PEER_NAMES.map(
      (name) => `${name} ${format(gapOf(group, name))} ms (${timesOurs(gapOf(group, name), gapOf(group, 'ours'))})`,
    ).join(', ')
  const downMs = restarts.median(RESTART, 'ours', 'downMs')
  const meaning = [
    ...IN_PROCESS.map((disruption) => {
      const outage =
        disruption === 'outage, hub kept'
          ? ` (the server stopped listening for ${format(OUTAGE_DOWNTIME_MS)} ms of it)`
          : ''
      return `${disruption}: events stopped for ${format(gapOf(disruption, 'ours'))} ms with ours${outage}; ${gapLine(disruption)}.`
    }),
    `${RESTART}: events stopped for ${format(gapOf(RESTART, 'ours'))} ms with ours (the new process listened ` +
      `${format(downMs)} ms after the kill); ${gapLine(RESTART)}.`,
    `${RESTART}: events lost, counted by the numbers in the payloads against what the old and the new process ` +
      `published: ${oursAgainstEvery(restarts, RESTART, 'lost', PEER_NAMES)}. Ours reported ` +
      `${format(restarts.median(RESTART, 'ours', 'gapsReported'))} gap(s) to the app (\`gaps\`, \`onGap\`): a new hub ` +
      'has no retained events and cannot vouch for what came before it; the other peers have no way to say so, and ' +
      'resume silently from whatever the new hub holds.',
    "The default peers' gaps are their reconnect delays: partysocket waits 3 s before its first retry (then ×1.3, up " +
      "to 10 s), react-use-websocket 5 s, and oRPC's retry plugin resubscribes every 2 s until the socket is back. " +
      'The tuned ones wait 250 ms (partysocket growing to 2 s). Ours retries at once, then backs off from 250 ms with ' +
      'jitter.',
  ]
  const headline = [
    ...IN_PROCESS.map(
      (disruption) =>
        `${disruption}, gap in events: ${oursAgainstEvery(samples, disruption, 'gapMs', PEER_NAMES, { unit: ' ms' })}.`,
    ),
    `${RESTART} (killed, listening again after ${format(downMs)} ms), gap in events: ` +
      `${oursAgainstEvery(restarts, RESTART, 'gapMs', PEER_NAMES, { unit: ' ms' })}; events lost: ` +
      `${oursAgainstEvery(restarts, RESTART, 'lost', PEER_NAMES)}; gaps reported to the app: ours ` +
      `${format(restarts.median(RESTART, 'ours', 'gapsReported'))}, the others cannot report one.`,
  ]
  writeResult({
    id: 's2',
    title: 'Reconnects and gaps: token expiry, server-side drop, outage, restart',
    runs: RUNS,
    method:
      `One component per peer, ${EVENTS_PER_SECOND} numbered events/s. Token expiry: ${SHORT_TOKEN_SECONDS}-second ` +
      `tokens, the longest time without an event over ${EXPIRY_WINDOW_MS / 1000} s, and the reconnects in that time. ` +
      'Server-side drop: the hub cuts every socket (no close frame). Outage, hub kept: the server cuts every socket and ' +
      `stops listening for ${OUTAGE_DOWNTIME_MS / 1000} s, in the same process, whose hub keeps its retained events ` +
      '(`interrupt()`): clients resume from them. For these three the peers run side by side, each against its own ' +
      'server in the benchmark process. Restart, new process: the reference server runs in a Node process of its own ' +
      '(bench/server-process.mjs, the built package), which is killed (SIGKILL) and started again on the same port ' +
      'with the same signing key; the new hub has no retained events. One peer at a time. ' +
      `${LONG_TOKEN_SECONDS}-second tokens for all but expiry. The gap is the longest time without an event from a ` +
      'second before the disruption until the first event published after it arrived, so that frames already on ' +
      'their way, or replayed on reconnect, do not cut it short. Lost and duplicated are counted from the numbers in ' +
      'the payloads over everything published, after waiting for late (replayed) events.',
    scaledDown: QUICK ? [`quick mode: a ${EXPIRY_WINDOW_MS / 1000}-second token-expiry window, 1 run`] : [],
    tables: [table, restartTable],
    meaning,
    headline,
    losses: [...lossesOf(table), ...lossesOf(restartTable)],
    durationSeconds: Math.round((performance.now() - started) / 1000),
  })
})
