// @vitest-environment jsdom
/** Provider settings reach streams that are already open. */

import { QueryClientProvider } from '@tanstack/react-query'
import { cleanup, render, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, expect, it } from 'vitest'
import WebSocket from 'ws'
import { DurableIteratorProvider, useDurableEventIterator } from '../../src'
import { FaultProxy } from '../support/fault-proxy'
import { type ChatResult, createQueryClient, numbered, observer, publishNumbered, startApp } from './harness'

let app: Awaited<ReturnType<typeof startApp>>
let proxy: FaultProxy
beforeEach(async () => {
  app = await startApp()
  proxy = await FaultProxy.start(app.server.durableUrl)
})
afterEach(async () => {
  cleanup()
  await proxy.close()
  await app.server.close()
})

it('a new url moves open streams to it, resuming after the last event: every event once, in order', async () => {
  const seen = observer<ChatResult>()
  function Chat() {
    const result = useDurableEventIterator(
      app.orpc.chat.onMessage,
      { room: 'moving' },
      { maxEvents: 1000, onEvent: (message) => seen.received.push(message) },
    )
    seen.result = result
    return null
  }
  const queryClient = createQueryClient()
  const tree = (url: string) => (
    <QueryClientProvider client={queryClient}>
      <DurableIteratorProvider url={url} WebSocket={WebSocket}>
        <Chat />
      </DurableIteratorProvider>
    </QueryClientProvider>
  )
  const view = render(tree(proxy.via(app.server.durableUrl)))
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  expect(proxy.openLinks).toBe(1)

  const publishing = publishNumbered(app.server, 'chat:moving', { count: 60, intervalMs: 10 })
  await waitFor(() => expect(seen.received.length).toBeGreaterThanOrEqual(20))
  view.rerender(tree(app.server.durableUrl))
  await publishing
  await waitFor(() => expect(seen.received).toHaveLength(60))

  expect(seen.received.map((message) => message.text)).toEqual(numbered(60))
  expect(proxy.openLinks).toBe(0)
  expect(app.server.stats()).toMatchObject({ upgradesAccepted: 2, openSockets: 1 })
  expect(app.tokenCalls.count).toBe(1)
})
