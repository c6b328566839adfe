/**
 * One socket per stream per browser (`shareAcrossTabs`, on in the demo): several pages of one Chromium context on
 * the demo, on both engines. Sockets and tokens are counted by the server; each page counts the events it got and
 * any jump in their ids (ids are consecutive per channel, so a lost, repeated or reordered event shows as a gap).
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Browser, launchChromium } from './browser'
import { type DemoProcess, startDemo } from './demo-process'

const TOKEN_TTL_SECONDS = 6
const ENGINES = [
  { name: 'Node reference server', args: ['start', '--', '--token-ttl', String(TOKEN_TTL_SECONDS)] },
  {
    name: 'Durable Object',
    args: ['run', 'demo', '--', '--engine', 'cloudflare', '--token-ttl', String(TOKEN_TTL_SECONDS)],
  },
]

type HandOvers = { __handOvers: string[] }
type Leads = { __leads: Record<string, boolean> }

/**
 * Notes, in each page, which locks it holds: the tab holding a stream's Web Lock leads that stream (its `:takeover`
 * lock only says that it is taking over).
 */
function NOTE_LEADS(): void {
  const leads: Record<string, boolean> = {}
  ;(window as unknown as Leads).__leads = leads
  const locks = navigator.locks
  const request = locks.request.bind(locks) as (...args: unknown[]) => Promise<unknown>
  locks.request = ((name: string, options: LockOptions, callback: LockGrantedCallback<unknown>) => {
    if (name.endsWith(':takeover')) return request(name, options, callback)
    const held = request(name, options, (lock: Lock | null) => {
      leads[name] = lock !== null
      return callback(lock)
    })
    const lost = () => {
      leads[name] = false
    }
    held.then(lost, lost)
    return held
  }) as LockManager['request']
}

/** Notes, in each page, the streams whose leading tab said it was leaving (the tabs' BroadcastChannel message). */
function NOTE_HAND_OVERS(): void {
  const notes: string[] = []
  ;(window as unknown as HandOvers).__handOvers = notes
  const Native = window.BroadcastChannel
  window.BroadcastChannel = class extends Native {
    constructor(name: string) {
      super(name)
      this.addEventListener('message', (message) => {
        if (message.data?.type === 'leaving') notes.push(name)
      })
    }
  }
}

describe.each(ENGINES)('tabs sharing streams on the $name', ({ args }) => {
  let demo: DemoProcess
  let browser: Browser
  const pages: Page[] = []
  const pageErrors: string[] = []

  beforeAll(async () => {
    demo = await startDemo(args)
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await demo?.stop()
  })

  async function stats(): Promise<{ openSockets: number; tokensIssued: number }> {
    return (await fetch(new URL('demo/api/stats', demo.pageUrl))).json()
  }
  async function publish(count: number, perSecond: number): Promise<void> {
    const response = await fetch(new URL(`demo/api/publish?count=${count}&perSecond=${perSecond}`, demo.pageUrl), {
      method: 'POST',
    })
    expect(response.status).toBe(202)
  }
  const counter = async (page: Page, testId: string) => Number(await page.getByTestId(testId).textContent())
  async function openTab(): Promise<Page> {
    const page = await browser.context.newPage()
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.addInitScript(NOTE_HAND_OVERS)
    await page.addInitScript(NOTE_LEADS)
    await page.goto(demo.pageUrl)
    for (const stream of ['chat', 'ticker']) {
      await expect.poll(() => page.getByTestId(`status-${stream}`).textContent(), { timeout: 30_000 }).toBe('open')
    }
    pages.push(page)
    return page
  }
  /** Every open tab, from `first` on, got `count` more chat events than it had, each once and in order. */
  async function expectEveryTabGot(tabs: Page[], before: number[], count: number): Promise<void> {
    for (const [index, page] of tabs.entries()) {
      await expect
        .poll(() => counter(page, 'chat-events-received'), { timeout: 30_000 })
        .toBe((before[index] ?? 0) + count)
      expect(await counter(page, 'chat-gaps-detected')).toBe(0)
    }
  }

  const leadsChat = (page: Page) =>
    page.evaluate(() =>
      Object.entries((window as unknown as Leads).__leads).some(([lock, held]) => held && lock.includes('chat')),
    )
  /** The open tab leading the chat stream (there is exactly one), and the others. */
  async function chatLeader(): Promise<{ leader: Page; followers: Page[] }> {
    const leading = await Promise.all(pages.map(leadsChat))
    const leaders = pages.filter((_, index) => leading[index])
    expect(leaders).toHaveLength(1)
    const [leader] = leaders
    if (!leader) throw new Error('no tab leads the chat stream')
    return { leader, followers: pages.filter((page) => page !== leader) }
  }
  function forget(page: Page): void {
    pages.splice(pages.indexOf(page), 1)
  }

  async function tabsThatFetchedTokens(tabs: Page[]): Promise<number> {
    const fetched = await Promise.all(tabs.map((page) => counter(page, 'chat-tokens-fetched')))
    return fetched.filter((count) => count > 0).length
  }

  it('5 tabs on 2 streams: 2 sockets at the server, and one token fetch per stream per refresh cycle', async () => {
    for (let tab = 0; tab < 5; tab++) await openTab()
    await expect.poll(async () => (await stats()).openSockets, { timeout: 10_000 }).toBe(2)
    // Only the leading tab fetches tokens: the others' caches never ask.
    expect(await tabsThatFetchedTokens(pages)).toBe(1)
    expect(await counter((await chatLeader()).leader, 'chat-tokens-fetched')).toBeGreaterThan(0)

    const before = await stats()
    const windowMs = 4 * 1000 * (TOKEN_TTL_SECONDS / 2)
    await new Promise((resolve) => setTimeout(resolve, windowMs))
    const after = await stats()
    // Tokens refresh every TTL/2 (the margin is capped at half the lifetime): about 4 cycles, for 2 streams.
    const cycles = windowMs / 1000 / (TOKEN_TTL_SECONDS / 2)
    const issued = after.tokensIssued - before.tokensIssued
    expect(issued).toBeGreaterThanOrEqual(2 * (cycles - 1))
    expect(issued).toBeLessThanOrEqual(2 * (cycles + 1))
    expect(after.openSockets).toBe(2)
  })

  it('a remote call from a following tab goes through the leader and answers there; the message reaches every tab', async () => {
    const follower = pages.at(-1)
    if (!follower) throw new Error('no tab open')
    const text = `from a following tab ${Date.now()}`
    await follower.getByLabel('Message').fill(text)
    await follower.getByRole('button', { name: 'Send' }).click()
    // The composer clears its input once the call resolved in this tab.
    await expect.poll(() => follower.getByLabel('Message').inputValue(), { timeout: 10_000 }).toBe('')
    for (const page of pages) {
      await expect.poll(() => page.getByTestId('messages').textContent(), { timeout: 10_000 }).toContain(text)
    }
  })

  it('the leading tab closes during a 200 events/s stream: every other tab gets every event once, in order', async () => {
    const { leader, followers } = await chatLeader()
    const before = await Promise.all(followers.map((page) => counter(page, 'chat-events-received')))
    await publish(600, 200)
    // Closed mid-stream: once the others have a good part of it.
    await expect
      .poll(() => counter(followers[0] as Page, 'chat-events-received'), { timeout: 10_000 })
      .toBeGreaterThan((before[0] ?? 0) + 100)
    await leader.close()
    forget(leader)
    // It handed both streams over as the page went (pagehide), not only once the browser had torn it down.
    for (const page of followers) {
      await expect
        .poll(() => page.evaluate(() => [...new Set((window as unknown as HandOvers).__handOvers)].length))
        .toBe(2)
    }
    await expectEveryTabGot(followers, before, 600)
    await expect.poll(async () => (await stats()).openSockets, { timeout: 10_000 }).toBe(2)
    // Exactly one of the others took over: it fetched the stream's token (into its own cache) to open its socket.
    const { leader: next } = await chatLeader()
    expect(await tabsThatFetchedTokens(followers)).toBe(1)
    expect(await counter(next, 'chat-tokens-fetched')).toBeGreaterThan(0)
  })

  // Headless Chromium does not freeze visible pages (Page.setWebLifecycleState leaves them running), so a frozen
  // page is made the way it behaves: its scripts stop (the debugger pauses them), the socket stays open.
  for (const { how, notice } of [
    { how: 'is frozen (the freeze event, then nothing runs)', notice: true },
    { how: 'stops running without notice (hung)', notice: false },
  ]) {
    it(`a leading tab that ${how} is replaced, takes nothing back when it runs again, and the others miss nothing`, async () => {
      const { leader, followers } = await chatLeader()
      expect(await tabsThatFetchedTokens(followers)).toBe(0)
      const cdp = await browser.context.newCDPSession(leader)
      const before = await Promise.all(followers.map((page) => counter(page, 'chat-events-received')))
      if (notice) await leader.evaluate(() => document.dispatchEvent(new Event('freeze')))
      await cdp.send('Debugger.enable')
      await cdp.send('Debugger.pause')
      await publish(400, 200)
      await expectEveryTabGot(followers, before, 400)
      expect(await tabsThatFetchedTokens(followers)).toBe(1)

      // Running again, it finds it was replaced and follows: the new leader keeps the stream.
      await cdp.send('Debugger.resume')
      await expect.poll(() => leadsChat(leader), { timeout: 10_000 }).toBe(false)
      const { leader: next } = await chatLeader()
      await expect.poll(() => leader.getByTestId('status-chat').textContent(), { timeout: 10_000 }).toBe('open')
      await publish(20, 200)
      await expectEveryTabGot(followers, before, 420)
      expect((await chatLeader()).leader).toBe(next)
      expect(await tabsThatFetchedTokens(followers)).toBe(1)

      await leader.close()
      forget(leader)
      await expect.poll(async () => (await stats()).openSockets, { timeout: 15_000 }).toBe(2)
    })
  }

  it('left no error on any page', () => {
    expect(pageErrors).toEqual([])
  })
})
