// @vitest-environment jsdom
import { cleanup, render, renderHook, waitFor } from '@testing-library/react'
import { afterAll, afterEach, expect, expectTypeOf, it } from 'vitest'
import { durableIteratorTokenOptions, useDurableEventIterator } from '../../src'
import type { ChatMessage, Tick } from '../../src/server'
import { createQueryClient, providers, startApp } from './harness'

const app = await startApp()
afterAll(() => app.server.close())
afterEach(() => cleanup())

it('infers the event type and the remote methods from the token procedure, with no casts', () => {
  // Type-level only: checked by `npm run typecheck`; the hook is never called here.
  const chat = () => useDurableEventIterator(app.orpc.chat.onMessage, { room: 'lobby' })
  const ticker = () => useDurableEventIterator(app.orpc.ticker.onTick, { symbol: 'ACME' })
  type ChatResult = ReturnType<typeof chat>
  type TickerResult = ReturnType<typeof ticker>
  expectTypeOf<ChatResult['events']>().toEqualTypeOf<readonly ChatMessage[]>()
  expectTypeOf<ChatResult['lastEvent']>().toEqualTypeOf<ChatMessage | undefined>()
  expectTypeOf<ChatResult['rpc']['sendMessage']>().parameter(0).toEqualTypeOf<{ text: string }>()
  expectTypeOf<TickerResult['events']>().toEqualTypeOf<readonly Tick[]>()
  expectTypeOf<TickerResult['rpc']>().not.toHaveProperty('sendMessage')
  // @ts-expect-error the input type comes from the procedure
  void (() => useDurableEventIterator(app.orpc.chat.onMessage, { symbol: 'ACME' }))
  // A procedure that returns a plain string gives unknown events.
  const plain = (_input: { id: string }) => Promise.resolve('token')
  const untyped = () => useDurableEventIterator(plain, { id: '1' }, { queryKey: ['plain'] })
  expectTypeOf<ReturnType<typeof untyped>['events']>().toEqualTypeOf<readonly unknown[]>()
})

it('accepts a plain oRPC client function together with a query key', async () => {
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl })
  const { result } = renderHook(
    () => useDurableEventIterator(app.client.chat.onMessage, { room: 'plain' }, { queryKey: ['chat', 'plain'] }),
    { wrapper: Providers },
  )
  await waitFor(() => expect(result.current.status).toBe('open'))
  expectTypeOf(result.current.events).toEqualTypeOf<readonly ChatMessage[]>()
})

it('says what to do when a plain client comes without a query key', () => {
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
