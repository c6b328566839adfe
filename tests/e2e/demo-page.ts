import { mkdirSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { type Browser, launchChromium } from './browser'
import { type DemoProcess, startDemo } from './demo-process'

const SCREENSHOTS = 'artifacts/e2e'
export const STREAMS = ['chat', 'ticker'] as const

/**
 * Starts the demo with `npm <npmArgs>` and opens it in Chromium for the test file (beforeAll/afterAll), and
 * gives the reads and waits the demo tests share.
 */
export function openDemoPage(npmArgs?: string[]) {
  let demo: DemoProcess | undefined
  let browser: Browser | undefined
  let current: Page | undefined
  const pageErrors: string[] = []

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true })
    demo = await startDemo(npmArgs)
    browser = await launchChromium()
    current = await browser.context.newPage()
    current.on('pageerror', (error) => pageErrors.push(error.message))
    await current.goto(demo.pageUrl)
  })
  afterAll(async () => {
    await browser?.close()
    await demo?.stop()
  })

  const page = (): Page => {
    if (!current) throw new Error('the demo page is not open yet')
    return current
  }
  const text = async (testId: string) => (await page().getByTestId(testId).textContent()) ?? ''
  const count = async (testId: string) => Number(await text(testId))

  return {
    page,
    pageErrors,
    text,
    count,
    shoot: (name: string) => page().screenshot({ path: `${SCREENSHOTS}/${name}.png` }),
    async expectOpen(timeout = 30_000) {
      for (const stream of STREAMS) await expect.poll(() => text(`status-${stream}`), { timeout }).toBe('open')
    },
    async expectNoGaps() {
      for (const stream of STREAMS) expect(await count(`${stream}-gaps-detected`)).toBe(0)
    },
    /** Waits until the ticker delivered `more` events after now: the stream flows again. */
    async expectTicksToFlow(more = 5) {
      const before = await count('ticker-events-received')
      await expect
        .poll(() => count('ticker-events-received'), { timeout: 30_000 })
        .toBeGreaterThanOrEqual(before + more)
    },
  }
}
