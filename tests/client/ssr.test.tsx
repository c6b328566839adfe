// @vitest-environment node
import { QueryClientProvider } from '@tanstack/react-query'
import { renderToString } from 'react-dom/server'
import { afterAll, afterEach, expect, it, vi } from 'vitest'
import { DurableIteratorProvider, useDurableEventIterator } from '../../src'
import { acrossTabs } from '../../src/tabs'
import { createQueryClient, startApp } from './harness'

const app = await startApp()
afterAll(() => app.server.close())
afterEach(() => {
  vi.restoreAllMocks()
  for (const name of ['window', 'document', 'navigator']) Reflect.deleteProperty(globalThis, name)
})

/** Counts reads of browser globals; the node environment has none of them. */
function watchBrowserGlobals(): string[] {
  const reads: string[] = []
  for (const name of ['window', 'document']) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        reads.push(name)
        return undefined
      },
    })
  }
  return reads
}

it('renderToString of a tree using the hook: status idle, no socket, no timer, no window access', () => {
  const sockets: string[] = []
  class CountingWebSocket {
    constructor(url: string) {
      sockets.push(url)
    }
  }
  const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
  const setIntervalSpy = vi.spyOn(globalThis, 'setInterval')
  const queryClient = createQueryClient()
  const browserReads = watchBrowserGlobals()

  function Chat() {
    const { status, events } = useDurableEventIterator(app.orpc.chat.onMessage, { room: 'ssr' })
    return (
      <p>
        {status}:{events.length}
      </p>
    )
  }
  const html = renderToString(
    <QueryClientProvider client={queryClient}>
      <DurableIteratorProvider url={app.server.durableUrl} WebSocket={CountingWebSocket} shareAcrossTabs={acrossTabs}>
        <Chat />
      </DurableIteratorProvider>
    </QueryClientProvider>,
  )

  expect(html).toBe('<p>idle<!-- -->:<!-- -->0</p>')
  expect(sockets).toEqual([])
  expect(setTimeoutSpy).not.toHaveBeenCalled()
  expect(setIntervalSpy).not.toHaveBeenCalled()
  expect(browserReads).toEqual([])
  expect(app.server.stats().tokensIssued).toBe(0)
  expect(queryClient.getQueryCache().getAll()).toHaveLength(0)
})
