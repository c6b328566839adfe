import { type ChildProcess, spawn } from 'node:child_process'
import type { Page } from 'playwright-core'
import { it } from 'vitest'
import { type Browser, launchChromium } from '../../tests/e2e/browser'
import { QUICK, runsOf, sleep, writeResult } from '../support/bench-env'
import { format, lossesOf, type Metric, oursAgainstEvery, Samples } from '../support/results'

const RUNS = runsOf(3)
const TAB_COUNTS = QUICK ? [1, 3] : [1, 3, 5]
const TOKEN_TTL_SECONDS = 6
/** Tokens refresh every TTL/2 (the margin is capped at half a token's lifetime). */
const CYCLE_SECONDS = TOKEN_TTL_SECONDS / 2
const TOKEN_WINDOW_CYCLES = QUICK ? 2 : 4
const HANDOFF_EVENTS = 600
const HANDOFF_PER_SECOND = 200
const SHARED = 'ours, shared across tabs'
const PER_TAB = 'ours, one connection per tab'
const MODES = [
  { name: SHARED, tabs: 'shared' },
  { name: PER_TAB, tabs: 'separate' },
] as const

const metrics: Metric[] = [
  { key: 'sockets', label: 'sockets at the server (2 streams)', better: 'lower' },
  { key: 'tokensPerCycle', label: 'token fetches per refresh cycle (2 streams)', better: 'lower', digits: 1 },
  // Events come every 5 ms: differences of a few of them are noise.
  { key: 'handoffGapMs', label: 'hand-off gap when the leading tab closes, ms', better: 'lower', noise: 20 },
  { key: 'lost', label: 'events lost in the other tabs', better: 'lower' },
  { key: 'duplicated', label: 'events twice in the other tabs', better: 'lower' },
]

interface Demo {
  pageUrl: string
  stop(): Promise<void>
}

/** The demo (`demo/start.mjs`, the package as built), its streams shared across tabs or not. */
async function startDemo(tabs: 'shared' | 'separate'): Promise<Demo> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['demo/start.mjs', '--port', '0', '--token-ttl', String(TOKEN_TTL_SECONDS), '--tabs', tabs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const pageUrl = await new Promise<string>((resolve, reject) => {
    let output = ''
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /Page:\s+(http:\/\/\S+)/.exec(output)
      if (match?.[1]) resolve(match[1])
    }
    child.stdout?.on('data', read)
    child.stderr?.on('data', read)
    child.once('exit', (code) => reject(new Error(`demo exited (${code}):\n${output}`)))
  })
  return {
    pageUrl,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

// In every page, before its scripts: note when each chat event of a burst reaches a following tab, as the leader's
// BroadcastChannel message carrying it arrives (a following tab's stream takes its events from there).
const RECORD_ARRIVALS = `
  window.__arrivals = [];
  const Native = window.BroadcastChannel;
  window.BroadcastChannel = class extends Native {
    constructor(name) {
      super(name);
      this.addEventListener('message', (message) => {
        const data = message.data;
        const text = data && data.type === 'event' && data.event && data.event.data && data.event.data.text;
        if (typeof text === 'string' && text.startsWith('burst ')) window.__arrivals.push([Number(text.slice(6)), performance.now()]);
      });
    }
  };
`

async function stats(demo: Demo): Promise<{ openSockets: number; tokensIssued: number }> {
  return (await fetch(new URL('demo/api/stats', demo.pageUrl))).json()
}

async function openTab(browser: Browser, demo: Demo): Promise<Page> {
  const page = await browser.context.newPage()
  await page.addInitScript(RECORD_ARRIVALS)
  await page.goto(demo.pageUrl)
  for (const stream of ['chat', 'ticker']) {
    for (let waited = 0; (await page.getByTestId(`status-${stream}`).textContent()) !== 'open'; waited += 100) {
      if (waited > 30_000) throw new Error(`tab: ${stream} did not open`)
      await sleep(100)
    }
  }
  return page
}

/** Token fetches per refresh cycle over a window of several cycles, and the sockets open at its end. */
async function tokensAndSockets(demo: Demo) {
  const before = await stats(demo)
  await sleep(TOKEN_WINDOW_CYCLES * CYCLE_SECONDS * 1000)
  const after = await stats(demo)
  return {
    sockets: after.openSockets,
    tokensPerCycle: (after.tokensIssued - before.tokensIssued) / TOKEN_WINDOW_CYCLES,
  }
}

/**
 * Shared mode: publishes a burst, closes the leading tab (the first opened) a second in, and reads, in the last tab
 * (never the next leader), when each event arrived: the longest silence between consecutive events, and events
 * missing or repeated.
 */
async function handOff(demo: Demo, tabs: Page[]) {
  const observer = tabs.at(-1) as Page
  await observer.evaluate(() => {
    ;(window as unknown as { __arrivals: unknown[] }).__arrivals = []
  })
  await fetch(new URL(`demo/api/publish?count=${HANDOFF_EVENTS}&perSecond=${HANDOFF_PER_SECOND}`, demo.pageUrl), {
    method: 'POST',
  })
  await sleep(1000)
  await tabs.shift()?.close()
  const deadline = Date.now() + 30_000
  let arrivals: Array<[number, number]> = []
  while (Date.now() < deadline) {
    arrivals = await observer.evaluate(() => (window as unknown as { __arrivals: Array<[number, number]> }).__arrivals)
    if (new Set(arrivals.map(([index]) => index)).size >= HANDOFF_EVENTS) break
    await sleep(200)
  }
  const seen = new Set<number>()
  let duplicated = 0
  let gapMs = 0
  for (const [position, [index, atMs]] of arrivals.entries()) {
    if (seen.has(index)) duplicated++
    seen.add(index)
    const previous = arrivals[position - 1]
    if (previous) gapMs = Math.max(gapMs, atMs - previous[1])
  }
  return { handoffGapMs: gapMs, lost: HANDOFF_EVENTS - seen.size, duplicated }
}

it('8. Tabs of one browser on the same streams', { timeout: 60 * 60_000 }, async () => {
  const startedAt = Date.now()
  const samples = new Samples(metrics)
  for (let run = 0; run < RUNS; run++) {
    for (const mode of MODES) {
      const demo = await startDemo(mode.tabs)
      const browser = await launchChromium()
      try {
        const tabs: Page[] = []
        for (const count of TAB_COUNTS) {
          while (tabs.length < count) tabs.push(await openTab(browser, demo))
          const measured: Record<string, number | null> = await tokensAndSockets(demo)
          const handoff =
            mode.name === SHARED && count > 2 && count === TAB_COUNTS.at(-1)
              ? await handOff(demo, tabs)
              : { handoffGapMs: null, lost: null, duplicated: null }
          samples.add(`N = ${count}`, mode.name, { ...measured, ...handoff })
          console.log(`s8 run ${run + 1}, ${mode.name}, ${count} tabs:`, { ...measured, ...handoff })
        }
      } finally {
        await browser.close()
        await demo.stop()
      }
    }
  }
  const names = [SHARED, PER_TAB]
  const largest = `N = ${TAB_COUNTS.at(-1)}`
  const table = samples.table(
    `the demo's 2 streams (chat, ticker), ${TOKEN_TTL_SECONDS} s tokens, in N tabs of one Chromium`,
    SHARED,
  )
  writeResult({
    id: 's8',
    title: 'Tabs of one browser on the same streams',
    runs: RUNS,
    method:
      `The demo (its 2 streams: a chat room and a ticker) in N pages of one Chromium context, with ` +
      `\`shareAcrossTabs\` and without it (one connection per tab: what every other peer here does, since none ` +
      `shares across tabs; react-use-websocket's \`share\` is within one page). Sockets are the server's open ` +
      `sockets; token fetches are the tokens it issued over ${TOKEN_WINDOW_CYCLES} refresh cycles of ` +
      `${CYCLE_SECONDS} s, per cycle. Hand-off (shared, largest N): ${HANDOFF_EVENTS} chat events at ` +
      `${HANDOFF_PER_SECOND}/s, the leading tab closed a second in; the last tab (never the next leader) records ` +
      'when each event reached it: the longest silence between two events, and events missing or repeated.',
    scaledDown: QUICK ? ['quick: 1 run, N = 1 and 3, 2 refresh cycles'] : [],
    tables: [table],
    meaning: [
      `${largest}: sockets ${oursAgainstEvery(samples, largest, 'sockets', names, { ours: SHARED })}.`,
      `${largest}: token fetches per cycle ${oursAgainstEvery(samples, largest, 'tokensPerCycle', names, { digits: 1, ours: SHARED })}.`,
    ],
    headline: [
      `${TAB_COUNTS.at(-1)} tabs on the demo's 2 streams: ${format(samples.median(largest, SHARED, 'sockets'))} sockets ` +
        `and ${format(samples.median(largest, SHARED, 'tokensPerCycle'), 1)} token fetches per refresh cycle shared ` +
        `across tabs, against ${format(samples.median(largest, PER_TAB, 'sockets'))} and ` +
        `${format(samples.median(largest, PER_TAB, 'tokensPerCycle'), 1)} with one connection per tab (as every other ` +
        `peer has); closing the leading tab during ${HANDOFF_PER_SECOND} events/s stopped events in the other tabs ` +
        `for ${format(samples.median(largest, SHARED, 'handoffGapMs'))} ms, with ` +
        `${format(samples.median(largest, SHARED, 'lost'))} lost and ${format(samples.median(largest, SHARED, 'duplicated'))} repeated.`,
    ],
    losses: lossesOf(table),
    durationSeconds: (Date.now() - startedAt) / 1000,
  })
})
