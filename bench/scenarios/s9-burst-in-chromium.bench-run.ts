import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { createServer } from 'vite'
import { it } from 'vitest'
import { startReferenceServer } from '../../src/server'
import { launchChromium } from '../../tests/e2e/browser'
import { QUICK, runsOf, sleep, writeResult } from '../support/bench-env'
import { format, type Metric, Samples } from '../support/results'

const RUNS = runsOf(5)
const BURST_EVENTS = QUICK ? 2_000 : 10_000
const BATCHES = 100
const BURST_MS = 1_000
const OURS = 'ours'

const metrics: Metric[] = [
  { key: 'commits', label: 'React commits', better: 'lower' },
  // Context: the frames the browser drew while the burst was delivered.
  { key: 'frames', label: 'animation frames', better: 'none' },
  { key: 'commitsPerFrame', label: 'commits per frame', better: 'lower', digits: 2 },
  { key: 'renderMs', label: 'render time, ms', better: 'lower', digits: 0 },
  { key: 'onScreenMs', label: 'last event on screen after its arrival, ms', better: 'lower', digits: 1 },
  { key: 'received', label: 'events that reached onEvent', better: 'higher' },
]

it('9. A burst of events in a real browser', { timeout: 30 * 60_000 }, async () => {
  const startedAt = Date.now()
  const server = await startReferenceServer({
    signingKey: 'bench-signing-key-that-is-long-enough-0123456789',
    tokenTtlSeconds: 600,
  })
  const vite = await createServer({
    configFile: false,
    root: fileURLToPath(new URL('../browser', import.meta.url)),
    logLevel: 'silent',
    plugins: [react()],
    resolve: { alias: { 'react-durable-iterator': fileURLToPath(new URL('../../src/index.ts', import.meta.url)) } },
    // A production React, as users ship it: development React renders slower and checks more.
    define: { 'process.env.NODE_ENV': '"production"' },
    server: { host: '127.0.0.1', port: 0 },
  })
  await vite.listen()
  const browser = await launchChromium()
  const samples = new Samples(metrics)
  try {
    const page = await browser.context.newPage()
    const query = new URLSearchParams({ rpc: server.rpcUrl, durable: server.durableUrl })
    await page.goto(`${vite.resolvedUrls?.local[0]}burst.html?${query}`)
    for (let waited = 0; (await page.locator('#status').textContent()) !== 'open'; waited += 100) {
      if (waited > 60_000) throw new Error('s9: the page did not open its stream')
      await sleep(100)
    }
    for (let run = 0; run < RUNS; run++) {
      const last = `r${run} ${BURST_EVENTS - 1}`
      await page.evaluate(
        (text) => (window as unknown as { __startBurst(last: string): void }).__startBurst(text),
        last,
      )
      // 100 batches, one every 10 ms: BURST_EVENTS events in 1 s.
      const perBatch = BURST_EVENTS / BATCHES
      for (let batch = 0; batch < BATCHES; batch++) {
        for (let index = 0; index < perBatch; index++) {
          server.publish('chat:burst', {
            text: `r${run} ${batch * perBatch + index}`,
            from: 'bench',
            sentAtMs: Date.now(),
          })
        }
        await sleep(BURST_MS / BATCHES)
      }
      let burst: Record<string, number | undefined> = {}
      for (let waited = 0; burst.lastOnScreenAtMs === undefined; waited += 50) {
        if (waited > 30_000) throw new Error('s9: the last event of the burst never reached the screen')
        await sleep(50)
        burst = await page.evaluate(() => ({ ...(window as unknown as { __burst: Record<string, number> }).__burst }))
      }
      const { commits = 0, frames = 0, renderMs = 0, received = 0, lastArrivedAtMs = 0, lastOnScreenAtMs = 0 } = burst
      const values = {
        commits,
        frames,
        commitsPerFrame: frames > 0 ? commits / frames : null,
        renderMs,
        onScreenMs: lastOnScreenAtMs - lastArrivedAtMs,
        received,
      }
      console.log(`s9 run ${run + 1}:`, values)
      samples.add('', OURS, values)
    }
  } finally {
    await browser.close()
    await vite.close()
    await server.close()
  }
  const median = (key: string, digits = 0) => format(samples.median('', OURS, key), digits)
  writeResult({
    id: 's9',
    title: 'A burst of events in a real browser',
    runs: RUNS,
    method:
      `One component on a chat stream under a React Profiler, in a page served by Vite (production React) in ` +
      `Chromium, with real animation frames: ${BURST_EVENTS.toLocaleString('en-US')} events in 1 s (${BATCHES} ` +
      `batches). The page counts commits, render time and frames, and notes when the last event reached onEvent and ` +
      'when the commit that shows it ran. Only ours: the peers, measured under jsdom in scenario 4, have no page here.',
    scaledDown: QUICK ? ['quick: 1 run of 2,000 events'] : [],
    tables: [samples.table(`${BURST_EVENTS.toLocaleString('en-US')} events in 1 s, one component`, OURS)],
    meaning: [
      `Ours committed ${median('commits')} times over ${median('frames')} frames (${median('commitsPerFrame', 2)} ` +
        `per frame); the last event was on screen ${median('onScreenMs', 1)} ms after it arrived; onEvent saw ` +
        `${median('received')} events.`,
    ],
    headline: [
      `In Chromium, a burst of ${BURST_EVENTS.toLocaleString('en-US')} events in 1 s: ${median('commits')} commits ` +
        `over ${median('frames')} animation frames, the last event on screen ${median('onScreenMs', 1)} ms after it arrived.`,
    ],
    losses: [],
    durationSeconds: (Date.now() - startedAt) / 1000,
  })
})
