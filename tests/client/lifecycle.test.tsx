// @vitest-environment jsdom
import { cleanup, render, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { useDurableEventIterator } from '../../src'
import { type ChatResult, createQueryClient, type Observer, observer, providers, startApp } from './harness'

let app: Awaited<ReturnType<typeof startApp>>
beforeEach(async () => {
  app = await startApp()
})
afterEach(async () => {
  cleanup()
  await app.server.close()
})

function Chat({ room, seen }: { room: string; seen?: Observer<ChatResult> }) {
  const result = useDurableEventIterator(app.orpc.chat.onMessage, { room })
  if (seen) seen.result = result
  return null
}

/**
 * Tracks the timers created directly by this package and by partysocket, so a test can tell whether any
 * is still pending. Other timers (React, jsdom, testing-library, the query cache) are not ours to judge.
 */
function trackOwnTimers() {
  const pending = new Set<unknown>()
  const original = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout }
  // The frame that called setTimeout (0 is "Error", 1 is this wrapper). The query cache's own gc timers
  // for cached tokens are called from @tanstack/query-core and are not counted.
  const isOurs = () => /\/src\/|partysocket/.test(new Error().stack?.split('\n')[2] ?? '')
  globalThis.setTimeout = ((handler: () => void, delay?: number, ...args: unknown[]) => {
    if (!isOurs()) return original.setTimeout(handler, delay, ...args)
    const id = original.setTimeout(
      () => {
        pending.delete(id)
        handler()
      },
      delay,
      ...args,
    )
    pending.add(id)
    return id
  }) as typeof setTimeout
  globalThis.clearTimeout = ((id: Parameters<typeof clearTimeout>[0]) => {
    pending.delete(id)
    original.clearTimeout(id)
  }) as typeof clearTimeout
  return {
    pending: () => pending.size,
    restore: () => Object.assign(globalThis, original),
  }
}

it('unmounting the last user closes the socket after lingerMs; a remount within it reuses the socket', async () => {
  const seen = observer<ChatResult>()
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl, lingerMs: 300 })
  const view = render(
    <Providers>
      <Chat room="linger" seen={seen} />
    </Providers>,
  )
  await waitFor(() => expect(seen.result?.status).toBe('open'))

  view.rerender(<Providers />)
  view.rerender(
    <Providers>
      <Chat room="linger" seen={seen} />
    </Providers>,
  )
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  expect(app.server.stats()).toMatchObject({ upgradesAccepted: 1, openSockets: 1 })

  view.rerender(<Providers />)
  expect(app.server.stats().openSockets).toBe(1)
  await waitFor(() => expect(app.server.stats().openSockets).toBe(0))
  expect(app.server.stats().upgradesAccepted).toBe(1)
})

it('200 mount/unmount cycles leave 0 open sockets and 0 pending timers', async () => {
  const timers = trackOwnTimers()
  try {
    const Providers = providers(createQueryClient(), { url: app.server.durableUrl, lingerMs: 5 })
    const view = render(<Providers />)
    for (let cycle = 0; cycle < 200; cycle++) {
      view.rerender(
        <Providers>
          <Chat room={`churn-${cycle % 7}`} />
        </Providers>,
      )
      // Every tenth cycle lets the connection open before unmounting; the rest unmount mid-connect.
      if (cycle % 10 === 0) await waitFor(() => expect(app.server.stats().openSockets).toBeGreaterThan(0))
      view.rerender(<Providers />)
    }
    view.unmount()
    await waitFor(() => expect(app.server.stats().openSockets).toBe(0))
    await waitFor(() => expect(timers.pending()).toBe(0))
    // Remounts reuse the cached token of their room: one token per room, not one per mount.
    expect(app.server.stats().tokensIssued).toBe(7)
    expect(app.server.stats().upgradesAccepted).toBeGreaterThan(0)
  } finally {
    timers.restore()
  }
})
