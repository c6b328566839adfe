import { describe, expect, it } from 'vitest'
import { openDemoPage, STREAMS } from './demo-page'

const { page, pageErrors, text, count, shoot, expectOpen, expectNoGaps, expectTicksToFlow } = openDemoPage()

describe('the demo, started by `npm start`, in Chromium', () => {
  it('opens both streams over one socket each and lets events flow', async () => {
    await expectOpen()
    await expectTicksToFlow()
    await page().getByLabel('Message').fill('hello from Chromium')
    await page().getByRole('button', { name: 'Send' }).click()
    await expect.poll(() => page().getByTestId('messages').textContent()).toContain('hello from Chromium')
    // Seven components use two streams: two sockets, one token fetch each.
    await expect.poll(() => count('chat-sockets-open-server')).toBe(2)
    expect(await count('chat-tokens-fetched')).toBe(1)
    expect(await count('ticker-tokens-fetched')).toBe(1)
    await shoot('01-open')
  })

  it('"Expire tokens now" refreshes both tokens in-band: the streams stay open, no reconnect', async () => {
    const chatTokens = await count('chat-tokens-fetched')
    const tickerTokens = await count('ticker-tokens-fetched')
    await page().getByRole('button', { name: 'Expire tokens now' }).click()
    await expect.poll(() => count('chat-tokens-fetched')).toBe(chatTokens + 1)
    await expect.poll(() => count('ticker-tokens-fetched')).toBe(tickerTokens + 1)
    await expectTicksToFlow()
    for (const stream of STREAMS) {
      expect(await text(`status-${stream}`)).toBe('open')
      expect(await count(`${stream}-reconnects`)).toBe(0)
    }
    await expectNoGaps()
    await shoot('02-tokens-refreshed')
  })

  it('"Drop connections" recovers and resumes with no gap', async () => {
    await page().getByRole('button', { name: 'Drop connections (server side)' }).click()
    await expect.poll(() => count('ticker-reconnects'), { timeout: 30_000 }).toBe(1)
    await expectOpen()
    await expectTicksToFlow()
    await expectNoGaps()
    await shoot('03-after-drop')
  })

  it('"Stop server for 5 s" shows reconnecting, then recovers with no gap', async () => {
    await page().getByRole('button', { name: 'Stop server for 5 s' }).click()
    await expect.poll(() => text('status-ticker'), { timeout: 10_000 }).toBe('reconnecting')
    await shoot('04-server-stopped')
    await expectOpen()
    await expectTicksToFlow()
    await expectNoGaps()
    await shoot('05-after-restart')
  })

  it('"Go offline" makes no attempts until "Go online", then reconnects', async () => {
    await page().getByRole('button', { name: 'Go offline' }).click()
    await expect.poll(() => text('status-ticker')).toBe('reconnecting')
    await expect.poll(() => count('chat-sockets-open-server')).toBe(0)
    await page().getByRole('button', { name: 'Go online' }).click()
    await expectOpen()
    await expectTicksToFlow()
    await expectNoGaps()
    expect(pageErrors).toEqual([])
  })
})
