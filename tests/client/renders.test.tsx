// @vitest-environment jsdom
/**
 * What each render shows: the shared stream's state from the very first render, never another stream's state
 * under a new input, and never the callbacks of a render React did not commit.
 */

import { QueryClientProvider } from '@tanstack/react-query'
import { act, cleanup, render, waitFor } from '@testing-library/react'
import { Suspense, startTransition, useState } from 'react'
import { afterEach, beforeEach, expect, it } from 'vitest'
import WebSocket from 'ws'
import { DurableIteratorProvider, useDurableEventIterator } from '../../src'
import { type ChatResult, createQueryClient, observer, providers, publishNumbered, startApp } from './harness'

let app: Awaited<ReturnType<typeof startApp>>
beforeEach(async () => {
  app = await startApp()
})
afterEach(async () => {
  cleanup()
  await app.server.close()
})

interface Frame {
  room: string
  status: string
  texts: string[]
}

function Chat({ room, frames }: { room: string; frames: Frame[] }) {
  const result = useDurableEventIterator(app.orpc.chat.onMessage, { room })
  frames.push({ room, status: result.status, texts: result.events.map((message) => message.text) })
  return null
}

it('the first render of an enabled stream says connecting, not idle', () => {
  const frames: Frame[] = []
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl })
  render(
    <Providers>
      <Chat room="first" frames={frames} />
    </Providers>,
  )
  expect(frames[0]).toEqual({ room: 'first', status: 'connecting', texts: [] })
})

it('a component mounting on a stream that is already open renders it open, with its events, from its first render', async () => {
  const first: Frame[] = []
  const late: Frame[] = []
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl })
  const view = render(
    <Providers>
      <Chat room="shared" frames={first} />
    </Providers>,
  )
  await waitFor(() => expect(first.at(-1)?.status).toBe('open'))
  await publishNumbered(app.server, 'chat:shared', { count: 3, intervalMs: 5 })
  await waitFor(() => expect(first.at(-1)?.texts).toEqual(['0', '1', '2']))

  view.rerender(
    <Providers>
      <Chat room="shared" frames={first} />
      <Chat room="shared" frames={late} />
    </Providers>,
  )
  expect(late[0]).toEqual({ room: 'shared', status: 'open', texts: ['0', '1', '2'] })
})

it('changing the input never renders the previous stream’s state under the new input', async () => {
  const frames: Frame[] = []
  let setRoom: (room: string) => void = () => {}
  function Switcher() {
    const [room, set] = useState('red')
    setRoom = set
    return <Chat room={room} frames={frames} />
  }
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl })
  render(
    <Providers>
      <Switcher />
    </Providers>,
  )
  await waitFor(() => expect(frames.at(-1)?.status).toBe('open'))
  await publishNumbered(app.server, 'chat:red', { count: 2, intervalMs: 5 })
  await waitFor(() => expect(frames.at(-1)?.texts).toEqual(['0', '1']))

  act(() => setRoom('blue'))
  await waitFor(() => expect(frames.at(-1)).toMatchObject({ room: 'blue', status: 'open' }))
  const blue = frames.filter((frame) => frame.room === 'blue')
  expect(blue[0]).toEqual({ room: 'blue', status: 'connecting', texts: [] })
  expect(blue.every((frame) => frame.texts.length === 0)).toBe(true)
})

it('the callbacks of a render React did not commit are never called', async () => {
  const calledBy: string[] = []
  const never = new Promise<never>(() => {})
  function Listener({ label, suspend }: { label: string; suspend: boolean }) {
    const result = useDurableEventIterator(
      app.orpc.chat.onMessage,
      { room: 'callbacks' },
      { onEvent: () => calledBy.push(label) },
    )
    if (suspend) throw never
    return <span>{result.status}</span>
  }
  let show: (props: { label: string; suspend: boolean }) => void = () => {}
  function App() {
    const [props, set] = useState({ label: 'committed', suspend: false })
    show = set
    return (
      <Suspense fallback={null}>
        <Listener {...props} />
      </Suspense>
    )
  }
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl })
  const view = render(
    <Providers>
      <App />
    </Providers>,
  )
  await waitFor(() => expect(view.container.textContent).toBe('open'))
  // A transition whose render suspends forever: React keeps showing the committed tree.
  act(() => startTransition(() => show({ label: 'discarded', suspend: true })))
  await publishNumbered(app.server, 'chat:callbacks', { count: 1, intervalMs: 5 })
  await waitFor(() => expect(calledBy).toHaveLength(1))
  expect(calledBy).toEqual(['committed'])
})

it('re-rendering the provider with another lingerMs keeps live streams on their socket', async () => {
  const seen = observer<ChatResult>()
  function Watcher() {
    seen.result = useDurableEventIterator(app.orpc.chat.onMessage, { room: 'linger' })
    return null
  }
  const queryClient = createQueryClient()
  const view = render(providerTree(queryClient, 1000))
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  view.rerender(providerTree(queryClient, 5000))
  await publishNumbered(app.server, 'chat:linger', { count: 1, intervalMs: 5 })
  await waitFor(() => expect(seen.result?.events).toHaveLength(1))
  expect(app.server.stats()).toMatchObject({ upgradesAccepted: 1, openSockets: 1 })

  function providerTree(client: ReturnType<typeof createQueryClient>, lingerMs: number) {
    return (
      <QueryClientProvider client={client}>
        <DurableIteratorProvider url={app.server.durableUrl} WebSocket={WebSocket} lingerMs={lingerMs}>
          <Watcher />
        </DurableIteratorProvider>
      </QueryClientProvider>
    )
  }
})
