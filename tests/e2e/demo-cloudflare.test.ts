import { describe, expect, it } from 'vitest'
import { openDemoPage, STREAMS } from './demo-page'

const { page, pageErrors, text, count, shoot, expectOpen, expectNoGaps, expectTicksToFlow } = openDemoPage([
  'run',
  'demo',
  '--',
  '--engine',
  'cloudflare',
])

describe('the demo on the Durable Object engine, started by `npm run demo -- --engine cloudflare`', () => {
  it('opens both streams through the Worker and lets events flow', async () => {
    expect(await text('engine')).toContain('Cloudflare Durable Object (miniflare)')
    await expectOpen()
    await expectTicksToFlow()
    await page().getByLabel('Message').fill('hello from Chromium via workerd')
    await page().getByRole('button', { name: 'Send' }).click()
    await expect.poll(() => page().getByTestId('messages').textContent()).toContain('hello from Chromium via workerd')
    // The Worker's objects count their sockets: one per stream.
    await expect.poll(() => count('chat-sockets-open-server')).toBe(2)
    expect(await count('chat-tokens-fetched')).toBe(1)
    expect(await count('ticker-tokens-fetched')).toBe(1)
    await expect(
      page().getByRole('button', { name: 'Stop server for 5 s (not on this engine)' }).isDisabled(),
    ).resolves.toBe(true)
    await shoot('cloudflare-01-open')
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
    await shoot('cloudflare-02-tokens-refreshed')
  })

  it('"Drop connections" closes the objects\' sockets; both streams recover and resume with no gap', async () => {
    await page().getByRole('button', { name: 'Drop connections (server side)' }).click()
    await expect.poll(() => count('ticker-reconnects'), { timeout: 30_000 }).toBe(1)
    await expect.poll(() => count('chat-reconnects'), { timeout: 30_000 }).toBe(1)
    await expectOpen()
    await expectTicksToFlow()
    await expectNoGaps()
    expect(pageErrors).toEqual([])
    await shoot('cloudflare-03-after-drop')
  })
})
