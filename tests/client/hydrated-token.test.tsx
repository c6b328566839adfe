// @vitest-environment jsdom

import { dehydrate, HydrationBoundary, QueryClient } from '@tanstack/react-query'
import { cleanup, render, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { durableIteratorTokenOptions, parseDurableIteratorToken, useDurableEventIterator } from '../../src'
import { type ChatResult, createQueryClient, observer, providers, startApp } from './harness'

let app: Awaited<ReturnType<typeof startApp>>
beforeEach(async () => {
  app = await startApp()
})
afterEach(async () => {
  cleanup()
  await app.server.close()
})

it('a token prefetched by a server whose clock is 10 minutes behind is timed by its claims, not by that clock', async () => {
  // The page's server fetched the token and dehydrated its cache; its clock stamped the fetch 10 minutes early.
  const options = durableIteratorTokenOptions(app.orpc.chat.onMessage, { room: 'prefetched' })
  const token = await app.client.chat.onMessage({ room: 'prefetched' })
  const pageServer = new QueryClient()
  pageServer.setQueryData(options.queryKey, token, { updatedAt: Date.now() - 10 * 60_000 })
  const dehydrated = dehydrate(pageServer)
  const callsBefore = app.tokenCalls.count

  const seen = observer<ChatResult>()
  function Chat() {
    seen.result = useDurableEventIterator(app.orpc.chat.onMessage, { room: 'prefetched' })
    return null
  }
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl })
  render(
    <Providers>
      <HydrationBoundary state={dehydrated}>
        <Chat />
      </HydrationBoundary>
    </Providers>,
  )
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  // Token server and browser share a clock here: the token expires at its `exp`, and the hydrated one is used.
  const { exp } = parseDurableIteratorToken(token)
  expect(Math.abs(seen.result!.tokenExpiresAt! - exp * 1000)).toBeLessThan(2000)
  expect(app.tokenCalls.count).toBe(callsBefore)
})
