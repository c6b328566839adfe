import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { TokenRefresher } from '../../src/connection/token-refresher'
import type { CurrentToken, TokenProvider } from '../../src/token/token-source'

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

function token(name: string): CurrentToken {
  const nowMs = Date.now()
  return {
    token: name,
    claims: { chn: 'chat:lobby', iat: nowMs / 1000, exp: nowMs / 1000 + 60 },
    receivedAtMs: nowMs,
    timing: { expiresAtMs: nowMs + 60_000, refreshAtMs: nowMs + 50_000, skewMs: 0 },
  }
}

/** A token procedure whose answers the test releases one by one. */
function heldTokens() {
  const waiting: Array<(value: CurrentToken) => void> = []
  const provider: TokenProvider = {
    queryHash: '["token"]',
    procedureName: 'token',
    get: () => new Promise((resolve) => waiting.push((current) => resolve({ current, fetched: true }))),
    onInvalidate: () => () => {},
  }
  return { provider, waiting }
}

it('stop() forgets a refresh in flight: the next socket refreshes at once instead of waiting for it', async () => {
  const { provider, waiting } = heldTokens()
  let liveSocket = 1
  const sent: string[] = []
  const refresher = new TokenRefresher({
    tokens: provider,
    isLive: (socketId) => socketId === liveSocket,
    currentToken: () => token('old'),
    onToken: () => {},
    updateInBand: async (value) => {
      sent.push(value)
    },
    reconnectWith: () => {},
    fail: () => {},
    retryDelayMs: () => 1000,
  })
  refresher.refreshNow(1)
  expect(waiting).toHaveLength(1)
  // The socket drops with the refresh still waiting for its token; a new socket opens.
  refresher.stop()
  liveSocket = 2
  refresher.refreshNow(2)
  expect(waiting).toHaveLength(2)
  waiting[1]?.(token('for socket 2'))
  await vi.advanceTimersByTimeAsync(0)
  expect(sent).toEqual(['for socket 2'])
  // The old refresh answers late: nothing is sent for it.
  waiting[0]?.(token('for socket 1'))
  await vi.advanceTimersByTimeAsync(0)
  expect(sent).toEqual(['for socket 2'])
})

it('an invalidation during a refresh drops what that refresh fetched and refreshes again', async () => {
  const { provider, waiting } = heldTokens()
  const sent: string[] = []
  const refresher = new TokenRefresher({
    tokens: provider,
    isLive: () => true,
    currentToken: () => token('old'),
    onToken: () => {},
    updateInBand: async (value) => {
      sent.push(value)
    },
    reconnectWith: () => {},
    fail: () => {},
    retryDelayMs: () => 1000,
  })
  refresher.refreshNow(1)
  refresher.refreshNow(1, { fresh: true })
  expect(waiting).toHaveLength(1)
  waiting[0]?.(token('fetched before the invalidation'))
  await vi.advanceTimersByTimeAsync(0)
  expect(waiting).toHaveLength(2)
  waiting[1]?.(token('fetched after it'))
  await vi.advanceTimersByTimeAsync(0)
  expect(sent).toEqual(['fetched after it'])
})
