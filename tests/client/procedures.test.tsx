// @vitest-environment jsdom
import { cleanup, render, renderHook, waitFor } from '@testing-library/react'
import { afterAll, afterEach, expect, it } from 'vitest'
import { durableIteratorTokenOptions, useDurableEventIterator } from '../../src'
import { createQueryClient, providers, startApp } from './harness'

const app = await startApp()
afterAll(() => app.server.close())
afterEach(() => cleanup())

it('accepts a plain oRPC client function together with a query key', async () => {
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl })
  const { result } = renderHook(
    () => useDurableEventIterator(app.client.chat.onMessage, { room: 'plain' }, { queryKey: ['chat', 'plain'] }),
    { wrapper: Providers },
  )
  await waitFor(() => expect(result.current.status).toBe('open'))
})

it('says what to do when a plain client comes without a query key (from JavaScript; TypeScript refuses it)', () => {
  // @ts-expect-error a plain client function without `queryKey` is a type error (tests/types)
  expect(() => durableIteratorTokenOptions(app.client.chat.onMessage, { room: 'x' })).toThrow(
    /pass `queryKey` in the options, or pass procedure utils/,
  )
})

it('says what to do when the provider is missing', () => {
  function Orphan() {
    useDurableEventIterator(app.orpc.chat.onMessage, { room: 'x' })
    return null
  }
  expect(() => render(<Orphan />)).toThrow(/needs a <DurableIteratorProvider url=\{…\}> above it/)
})
