// @vitest-environment jsdom
import { it } from 'vitest'
import { startApp } from '../../tests/client/harness'
import { QUICK, runsOf, sleep, writeResult } from '../support/bench-env'
import { createPeer, OTHER_PEER_NAMES, PEER_NAMES } from '../support/peers'
import { mount } from '../support/react-root'
import { format, lossesOf, type Metric, oursAgainstEvery, type PeerName, Samples, timesOurs } from '../support/results'

const COMPONENT_COUNTS = QUICK ? [1, 10] : [1, 10, 50, 200]
const WINDOW_MS = QUICK ? 6_000 : 30_000
const TOKEN_TTL_SECONDS = 3
const REFRESH_BEFORE_EXPIRY_SECONDS = 1
const RUNS = runsOf(2)
/**
 * Peers run side by side, each against its own server, as long as they hold at most this many components in all;
 * beyond that they would compete for the two cores, and late token refreshes would show up as expiry closes.
 */
const SIDE_BY_SIDE_COMPONENTS = 200
const ROOM = 's1'

/** The peers in groups that run side by side, one group after the other. */
function batchesFor(components: number): PeerName[][] {
  const perBatch = Math.max(1, Math.floor(SIDE_BY_SIDE_COMPONENTS / components))
  const batches: PeerName[][] = []
  for (let index = 0; index < PEER_NAMES.length; index += perBatch) {
    batches.push(PEER_NAMES.slice(index, index + perBatch))
  }
  return batches
}

const metrics: Metric[] = [
  { key: 'tokens', label: 'token fetches', better: 'lower' },
  { key: 'socketOpens', label: 'sockets opened', better: 'lower' },
  { key: 'peakSockets', label: 'open at once (peak)', better: 'lower' },
  { key: 'reconnects', label: 'reconnects', better: 'lower' },
  { key: 'expiredCloses', label: 'closed at token expiry', better: 'lower' },
  { key: 'tokenUpdates', label: 'in-band token updates', better: 'none' },
]

/** N components of one peer on one stream for WINDOW_MS, against a server of its own; counts from the server. */
async function measure(name: PeerName, components: number): Promise<Record<string, number>> {
  const app = await startApp({ tokenTtlSeconds: TOKEN_TTL_SECONDS })
  const peer = createPeer(name, {
    app,
    durableUrl: app.server.durableUrl,
    tokenTtlSeconds: TOKEN_TTL_SECONDS,
    refreshBeforeExpirySeconds: REFRESH_BEFORE_EXPIRY_SECONDS,
  })
  const startedAt = performance.now()
  const view = mount(
    <peer.Providers>
      {Array.from({ length: components }, (_, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list
        <peer.Consumer key={index} room={ROOM} />
      ))}
    </peer.Providers>,
  )
  // 10 events/s keep the stream in use.
  let published = 0
  const publisher = setInterval(() => {
    app.server.publish(`chat:${ROOM}`, { text: String(published++), from: 'bench', sentAtMs: Date.now() })
  }, 100)
  let peakSockets = 0
  const sampler = setInterval(() => {
    peakSockets = Math.max(peakSockets, app.server.stats().openSockets)
  }, 20)
  await sleep(startedAt + WINDOW_MS - performance.now())
  const stats = app.server.stats()
  clearInterval(publisher)
  clearInterval(sampler)
  view.unmount()
  await app.server.close()
  return {
    tokens: stats.tokensIssued,
    socketOpens: stats.upgradesAccepted,
    peakSockets,
    // Nothing comes and goes here: every socket opened beyond the most open at once replaced one that closed.
    reconnects: stats.upgradesAccepted - peakSockets,
    expiredCloses: stats.expiredCloses,
    tokenUpdates: stats.tokenUpdates,
  }
}

it('s1: token fetches and sockets for N components on one stream', async () => {
  const started = performance.now()
  const samples = new Samples(metrics)
  for (let run = 0; run < RUNS; run++) {
    for (const components of COMPONENT_COUNTS) {
      // Side by side, each peer against its own server: these are counts, not timings.
      for (const batch of batchesFor(components)) {
        const results = await Promise.all(batch.map((name) => measure(name, components)))
        batch.forEach((name, index) => {
          samples.add(`N = ${components}`, name, results[index] ?? {})
        })
        console.log(`s1 run ${run + 1}/${RUNS} N=${components} ${batch.join(', ')}:`, JSON.stringify(results))
      }
    }
  }
  const table = samples.table(
    `${WINDOW_MS / 1000} s, ${TOKEN_TTL_SECONDS} s tokens, refreshed ${REFRESH_BEFORE_EXPIRY_SECONDS} s before expiry`,
  )
  const largest = `N = ${COMPONENT_COUNTS.at(-1)}`
  const value = (name: PeerName, key: string) => samples.median(largest, name, key)
  const count = (name: PeerName, key: string, noun: string, nouns = `${noun}s`) => {
    const number = value(name, key)
    return `${format(number)} ${number === 1 ? noun : nouns}`
  }
  const against = (name: PeerName, key: string) => timesOurs(value(name, key), value('ours', key))
  const meaning = [
    `With ${COMPONENT_COUNTS.at(-1)} components on one stream, ours opened ${count('ours', 'socketOpens', 'socket')}, ` +
      `fetched ${count('ours', 'tokens', 'token')} and reconnected ${format(value('ours', 'reconnects'))} times in ` +
      `${WINDOW_MS / 1000} s.`,
    ...OTHER_PEER_NAMES.map(
      (name) =>
        `${name}: ${count(name, 'tokens', 'token fetch', 'token fetches')}` +
        ` (${against(name, 'tokens')}), ${count(name, 'socketOpens', 'socket open')} (${against(name, 'socketOpens')}), ` +
        `${count(name, 'reconnects', 'reconnect')}.`,
    ),
  ]
  const fewerTokens = OTHER_PEER_NAMES.filter((name) => (value(name, 'tokens') ?? 0) < (value('ours', 'tokens') ?? 0))
  if (fewerTokens.length > 0) {
    meaning.push(
      `${fewerTokens.join(', ')} fetched fewer tokens than ours because they never refresh a live socket: the ` +
        'server closes it when its token expires and they reconnect with a new one (see "closed at token expiry" ' +
        'and the gaps this causes in scenario 2). Ours refreshes each token before it expires, over the open socket.',
    )
  }
  const setting = `${COMPONENT_COUNTS.at(-1)} components on one stream, ${WINDOW_MS / 1000} s of ${TOKEN_TTL_SECONDS}-second tokens`
  const every = (key: string) => oursAgainstEvery(samples, largest, key, PEER_NAMES)
  const headline = [
    `${setting}, sockets opened: ${every('socketOpens')}.`,
    `${setting}, reconnects: ${every('reconnects')}.`,
    `${setting}, token fetches: ${every('tokens')}.`,
  ]
  const windowsPerRun = COMPONENT_COUNTS.reduce((windows, components) => windows + batchesFor(components).length, 0)
  writeResult({
    id: 's1',
    title: 'Token fetches and sockets for N components on one stream',
    runs: RUNS,
    method:
      `N components of each peer mount on one stream and stay for ${WINDOW_MS / 1000} s with ${TOKEN_TTL_SECONDS}-second ` +
      `tokens; the server publishes 10 events/s. Counts come from the reference server's stats. "Reconnects" are ` +
      'sockets opened beyond the most that were open at once. Each peer has its own reference server; peers run side ' +
      `by side in one process as long as they hold at most ${SIDE_BY_SIDE_COMPONENTS} components in all (all ` +
      `${PEER_NAMES.length} up to N = ${Math.floor(SIDE_BY_SIDE_COMPONENTS / PEER_NAMES.length)}), in groups after ` +
      'that, and one after the other at the largest N.',
    scaledDown: QUICK
      ? [`quick mode: N = ${COMPONENT_COUNTS.join(', ')} over ${WINDOW_MS / 1000} s, 1 run`]
      : [
          `${RUNS} runs instead of 5: each run is ${windowsPerRun} × ${WINDOW_MS / 1000} s, and the counts barely ` +
            'move between runs.',
        ],
    tables: [table],
    meaning,
    headline,
    losses: lossesOf(table),
    durationSeconds: Math.round((performance.now() - started) / 1000),
  })
})
