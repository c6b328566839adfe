// @vitest-environment jsdom
import { it } from 'vitest'
import { startApp } from '../../tests/client/harness'
import { heapUsedAfterGc, QUICK, runsOf, sleep, trackStreamTimers, waitUntil, writeResult } from '../support/bench-env'
import { createPeer, PEER_NAMES } from '../support/peers'
import { mount } from '../support/react-root'
import { format, lossesOf, type Metric, oursAgainstEvery, type PeerName, Samples } from '../support/results'

const RUNS = runsOf(3)
const CYCLES = QUICK ? 100 : 1000
/** Every this many cycles, the component stays mounted until its socket is open; the others unmount mid-connect. */
const OPEN_EVERY = 10
const SETTLE_TIMEOUT_MS = 10_000
/**
 * Ours keeps a connection for `lingerMs` after its last component unmounts (1 s by default), so that a remount reuses
 * it. Here it is 0, and each cycle yields to the event loop after the unmount, so ours closes its connection every
 * cycle, as the other peers close their sockets, instead of reusing one socket for all the cycles.
 */
const OURS_LINGER_MS = 0
const ROOM = 's5'

const metrics: Metric[] = [
  { key: 'openSockets', label: 'sockets left open', better: 'lower' },
  { key: 'pendingTimers', label: 'timers left pending', better: 'lower' },
  { key: 'heapDeltaMB', label: 'heap delta, MB', better: 'lower', digits: 2, noise: 1, compare: 'difference' },
  { key: 'socketOpens', label: 'sockets opened', better: 'lower' },
  { key: 'tokens', label: 'token fetches', better: 'lower' },
  { key: 'seconds', label: 'seconds for the cycles', better: 'none', digits: 1 },
]

async function measure(name: PeerName): Promise<Record<string, number>> {
  const app = await startApp({ tokenTtlSeconds: 600 })
  const peer = createPeer(name, {
    app,
    durableUrl: app.server.durableUrl,
    tokenTtlSeconds: 600,
    refreshBeforeExpirySeconds: 1,
    lingerMs: OURS_LINGER_MS,
  })
  const view = mount(<peer.Providers />)
  // One cycle first, so that module and cache set-up is not counted as growth.
  view.render(
    <peer.Providers>
      <peer.Consumer room={ROOM} />
    </peer.Providers>,
  )
  await waitUntil(() => app.server.stats().openSockets > 0, 30_000)
  view.render(<peer.Providers />)
  await waitUntil(() => app.server.stats().openSockets === 0, SETTLE_TIMEOUT_MS)

  const timers = trackStreamTimers()
  const heapBefore = await heapUsedAfterGc()
  const statsBefore = app.server.stats()
  const startedMs = performance.now()
  try {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      let open = false
      view.render(
        <peer.Providers>
          <peer.Consumer
            room={ROOM}
            onOpen={() => {
              open = true
            }}
          />
        </peer.Providers>,
      )
      if (cycle % OPEN_EVERY === 0) await waitUntil(() => open, 30_000, 1)
      view.render(<peer.Providers />)
      // A timer's turn: ours' 0 ms linger runs out before the next mount.
      await sleep(0)
    }
    const seconds = (performance.now() - startedMs) / 1000
    // Let lingering connections close and timers run out, then see what is left.
    await waitUntil(() => app.server.stats().openSockets === 0 && timers.pending() === 0, SETTLE_TIMEOUT_MS)
    const stats = app.server.stats()
    if (timers.pending() > 0) console.log(`s5 ${name}: timers left pending, by caller:`, timers.sites())
    const heapAfter = await heapUsedAfterGc()
    return {
      openSockets: stats.openSockets,
      pendingTimers: timers.pending(),
      heapDeltaMB: (heapAfter - heapBefore) / 1e6,
      socketOpens: stats.upgradesAccepted - statsBefore.upgradesAccepted,
      tokens: stats.tokensIssued - statsBefore.tokensIssued,
      seconds,
    }
  } finally {
    timers.restore()
    view.unmount()
    await app.server.close()
  }
}

it('s5: mount/unmount cycles leave nothing behind', async () => {
  const started = performance.now()
  const samples = new Samples(metrics)
  for (let run = 0; run < RUNS; run++) {
    // One peer at a time: heap and timers are per process.
    for (const name of PEER_NAMES) {
      const result = await measure(name)
      samples.add('', name, result)
      console.log(`s5 run ${run + 1}/${RUNS} ${name}:`, JSON.stringify(result))
    }
  }
  const table = samples.table(`${format(CYCLES)} mount/unmount cycles`)
  const value = (name: PeerName, key: string, digits = 0) => format(samples.median('', name, key), digits)
  const plural = (count: string, noun: string) => `${count} ${noun}${count === '1' ? '' : 's'}`
  const meaning = PEER_NAMES.map(
    (name) =>
      `${name}: ${value(name, 'openSockets')} sockets and ${value(name, 'pendingTimers')} timers left, heap ` +
      `${value(name, 'heapDeltaMB', 2)} MB; on the way it opened ${plural(value(name, 'socketOpens'), 'socket')} and ` +
      `fetched ${plural(value(name, 'tokens'), 'token')}.`,
  )
  const every = (key: string, unit = '', digits = 0, difference = false) =>
    oursAgainstEvery(samples, '', key, PEER_NAMES, { unit, digits, difference })
  const cycles = `${format(CYCLES)} mount/unmount cycles`
  const headline = [
    `${cycles}, sockets left open: ${every('openSockets')}; timers left pending: ${every('pendingTimers')}.`,
    `${cycles}, heap delta: ${every('heapDeltaMB', ' MB', 2, true)}; sockets opened on the way: ${every('socketOpens')}.`,
  ]
  writeResult({
    id: 's5',
    title: `${format(CYCLES)} mount/unmount cycles`,
    runs: RUNS,
    method:
      `One component of each peer is mounted and unmounted ${format(CYCLES)} times under the same provider and query ` +
      `client; every ${OPEN_EVERY}th time it stays until its socket is open, the others unmount mid-connect. Then, ` +
      `after at most ${SETTLE_TIMEOUT_MS / 1000} s for lingering sockets and timers to go: sockets the server still has ` +
      'open, timers created by the stream code (this package, partysocket, react-use-websocket, the peers in ' +
      'bench/support/peers/) that are still pending, and heap growth after full collections (--expose-gc; ' +
      'differences under about 1 MB are noise: jsdom and React allocate too). Each cycle yields to the event loop ' +
      `after the unmount, and ours runs with \`lingerMs: ${OURS_LINGER_MS}\`, so it closes its connection every ` +
      'cycle as the others close their sockets (its default, 1 s, would keep one socket for all the cycles). One peer ' +
      'at a time.',
    scaledDown: QUICK
      ? [`quick mode: ${CYCLES} cycles, 1 run`]
      : [
          `${RUNS} runs instead of 5: with a turn of the event loop per cycle, each run of the ${PEER_NAMES.length} ` +
            'peers takes about a minute.',
        ],
    tables: [table],
    meaning,
    headline,
    losses: lossesOf(table),
    durationSeconds: Math.round((performance.now() - started) / 1000),
  })
})
