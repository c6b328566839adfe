// @vitest-environment jsdom
import { act, cleanup, render, waitFor } from '@testing-library/react'
import { StrictMode } from 'react'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { useDurableEventIterator } from '../../src'
import { acrossTabs } from '../../src/tabs'
import { type ChatResult, createQueryClient, type Observer, observer, providers, startApp } from './harness'

let app: Awaited<ReturnType<typeof startApp>>
beforeEach(async () => {
  app = await startApp()
})
afterEach(async () => {
  cleanup()
  await app.server.close()
})

function Chat({ room, seen }: { room: string; seen: Observer<ChatResult> }) {
  seen.result = useDurableEventIterator(app.orpc.chat.onMessage, { room })
  return null
}

it('20 components on one stream share 1 socket and 1 token fetch; another input gets its own', async () => {
  const lobby = Array.from({ length: 20 }, () => observer<ChatResult>())
  const other = observer<ChatResult>()
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl })
  render(
    <Providers>
      {lobby.map((seen, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list
        <Chat key={index} room="lobby" seen={seen} />
      ))}
      <Chat room="other" seen={other} />
    </Providers>,
  )
  await waitFor(() => expect([...lobby, other].every((seen) => seen.result?.status === 'open')).toBe(true))

  expect(app.server.stats()).toMatchObject({ tokensIssued: 2, upgradesAccepted: 2, openSockets: 2 })
  expect(app.tokenCalls.count).toBe(2)

  // Every lobby component sees the same shared buffer; the other room sees nothing of it.
  await act(() => lobby[0]!.result!.rpc.sendMessage({ text: 'hello lobby' }))
  await waitFor(() => expect(lobby.every((seen) => seen.result?.events.at(-1)?.text === 'hello lobby')).toBe(true))
  expect(other.result?.events).toEqual([])
})

it('<StrictMode> double mounting opens 1 socket and fetches 1 token', async () => {
  const seen = observer<ChatResult>()
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl })
  render(
    <StrictMode>
      <Providers>
        <Chat room="strict" seen={seen} />
      </Providers>
    </StrictMode>,
  )
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  expect(app.server.stats()).toMatchObject({ tokensIssued: 1, upgradesAccepted: 1, openSockets: 1 })
})

it('a component that mounts later sees the events already buffered', async () => {
  const first = observer<ChatResult>()
  const late = observer<ChatResult>()
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl })
  const view = render(
    <Providers>
      <Chat room="late" seen={first} />
    </Providers>,
  )
  await waitFor(() => expect(first.result?.status).toBe('open'))
  await act(() => first.result!.rpc.sendMessage({ text: 'before you came' }))
  await waitFor(() => expect(first.result?.events).toHaveLength(1))

  view.rerender(
    <Providers>
      <Chat room="late" seen={first} />
      <Chat room="late" seen={late} />
    </Providers>,
  )
  await waitFor(() => expect(late.result?.events.map((message) => message.text)).toEqual(['before you came']))
  expect(app.server.stats().upgradesAccepted).toBe(1)
})

it('shareAcrossTabs where Web Locks are missing (jsdom has none): each tab streams alone, as without it', async () => {
  expect(typeof navigator.locks?.request).not.toBe('function')
  const seen = observer<ChatResult>()
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl, shareAcrossTabs: acrossTabs })
  render(
    <Providers>
      <Chat room="alone" seen={seen} />
    </Providers>,
  )
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  await act(() => seen.result!.rpc.sendMessage({ text: 'still works' }))
  await waitFor(() => expect(seen.result?.events.at(-1)?.text).toBe('still works'))
  expect(app.server.stats()).toMatchObject({ upgradesAccepted: 1, tokensIssued: 1 })
})
