// @vitest-environment jsdom
import { onlineManager } from '@tanstack/react-query'
import { cleanup, render, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { useDurableEventIterator } from '../../src'
import {
  type ChatResult,
  createQueryClient,
  type Observer,
  observeFor,
  observer,
  providers,
  recordStatus,
  startApp,
} from './harness'

let app: Awaited<ReturnType<typeof startApp>>
beforeEach(async () => {
  app = await startApp()
})
afterEach(async () => {
  cleanup()
  onlineManager.setOnline(true)
  await app.server.close()
})

function Chat({ seen }: { seen: Observer<ChatResult> }) {
  const result = useDurableEventIterator(app.orpc.chat.onMessage, { room: 'offline' })
  seen.result = result
  recordStatus(seen, result.status)
  return null
}

it('offline: no attempts; back online: reconnects at once, skipping the backoff wait', async () => {
  const seen = observer<ChatResult>()
  // A long backoff: the stream must come back because the app is online again, not because a wait ran out.
  const Providers = providers(createQueryClient(), {
    url: app.server.durableUrl,
    reconnect: { minDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 },
  })
  render(
    <Providers>
      <Chat seen={seen} />
    </Providers>,
  )
  await waitFor(() => expect(seen.result?.status).toBe('open'))

  onlineManager.setOnline(false)
  app.server.hub.dropConnections()
  await waitFor(() => expect(seen.result?.status).toBe('reconnecting'))
  await observeFor(1000)
  expect(app.server.stats()).toMatchObject({ upgradesAccepted: 1, tokensIssued: 1, openSockets: 0 })
  expect(app.tokenCalls.count).toBe(1)

  onlineManager.setOnline(true)
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  expect(app.server.stats()).toMatchObject({ upgradesAccepted: 2, openSockets: 1 })
  expect(seen.statuses).toEqual(['connecting', 'open', 'reconnecting', 'open'])
})
