import { dehydrate, hydrate, QueryClient } from '@tanstack/query-core'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { durableIteratorTokenOptions } from '../../src'
import { parseDurableIteratorToken } from '../../src/token/parse-token'
import { TokenSource } from '../../src/token/token-source'
import { makeToken } from './token-desk'

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

it('a token prefetched on a server whose clock is 10 minutes behind is timed from its arrival here', async () => {
  const nowSeconds = Math.floor(Date.now() / 1000)
  const token = makeToken({ chn: 'chat:lobby', iat: nowSeconds, exp: nowSeconds + 120 }, 1)
  // The server rendered the page: its cache says the token was fetched "10 minutes ago" by its own clock.
  const server = new QueryClient()
  const options = durableIteratorTokenOptions(async () => token, undefined, {
    queryKey: ['durable-token', 'lobby'],
    refreshBeforeExpirySeconds: 30,
  })
  server.setQueryData(options.queryKey, token, { updatedAt: Date.now() - 10 * 60_000 })
  const client = new QueryClient()
  hydrate(client, dehydrate(server))

  const source = new TokenSource(
    { queryClient: client, tokenQuery: options, parseToken: parseDurableIteratorToken, refreshBeforeExpirySeconds: 30 },
    'durable-token',
  )
  const { current, fetched } = await source.get({ fresh: false })
  // Clocks here and at the issuer agree: the token expires at `exp`, and the hydrated token is used as it is.
  expect(fetched).toBe(false)
  expect(current.timing.skewMs).toBe(0)
  expect(current.timing.expiresAtMs).toBe((nowSeconds + 120) * 1000)
  // The query's staleTime agrees with that clock, so the cache does not refetch it either.
  const query = client.getQueryCache().find<string>({ queryKey: options.queryKey })!
  expect(query.isStaleByTime(typeof options.staleTime === 'function' ? options.staleTime(query) : 0)).toBe(false)
})
