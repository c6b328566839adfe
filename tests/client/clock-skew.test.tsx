// @vitest-environment jsdom
import { cleanup, render, waitFor } from '@testing-library/react'
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest'
import { useDurableEventIterator } from '../../src'
import type { Tick } from '../../src/server/reference-app'
import { type ServerProcess, startServerProcess } from '../support/server-process'
import { createQueryClient, observer, providers, recordStatus, SIGNING_KEY, tokenClient } from './harness'

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess({ signingKey: SIGNING_KEY, tokenTtlSeconds: 4 })
})
afterAll(() => server.stop())
afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

/** Streams ticks (5 a second) for a while with the client's clock `offsetMs` off the server's. */
async function streamWithClockOffset(offsetMs: number, symbol: string) {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true })
  vi.setSystemTime(Date.now() + offsetMs)
  const app = tokenClient(server.rpcUrl)
  const seen = observer<unknown>()
  const ticks: Tick[] = []
  function Ticker() {
    const result = useDurableEventIterator(app.orpc.ticker.onTick, { symbol }, { onEvent: (tick) => ticks.push(tick) })
    recordStatus(seen, result.status)
    return null
  }
  const Providers = providers(createQueryClient(), { url: server.durableUrl, refreshBeforeExpirySeconds: 1 })
  render(
    <Providers>
      <Ticker />
    </Providers>,
  )
  // 40 ticks take 8 s: two token lifetimes.
  await waitFor(() => expect(ticks.length).toBeGreaterThanOrEqual(40), { timeout: 20_000 })
  return { statuses: seen.statuses, ticks, tokenCalls: app.tokenCalls.count }
}

for (const [label, offsetMs] of [
  ['10 minutes ahead', 10 * 60_000],
  ['10 minutes behind', -10 * 60_000],
] as const) {
  it(`a client clock ${label} still opens, refreshes in-band and does not loop on tokens`, {
    timeout: 30_000,
  }, async () => {
    const { statuses, ticks, tokenCalls } = await streamWithClockOffset(offsetMs, `skew${offsetMs > 0 ? 'A' : 'B'}`)
    // Never reconnected: tokens were refreshed before the server's expiry, judged on the server's clock.
    expect(statuses).toEqual(['connecting', 'open'])
    // 8 s of 4 s tokens refreshed 1 s early: about one token per 3 s, not one per render or per check.
    expect(tokenCalls).toBeLessThanOrEqual(5)
    const seqs = ticks.map((tick) => tick.seq)
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => seqs[0]! + index))
  })
}
