// Type assertions, checked by `tsc` in Vitest's typecheck mode (`npm test`): a wrong type fails as a test.
import type { RouterClient } from '@orpc/server'
import type { RouterUtils } from '@orpc/tanstack-query'
import { describe, expectTypeOf, it } from 'vitest'
import { durableIteratorTokenOptions, useDurableEventIterator } from '../../src'
import type { ChatMessage, ReferenceRouter, Tick } from '../../src/server/reference-app'

declare const orpc: RouterUtils<RouterClient<ReferenceRouter>>
declare const client: RouterClient<ReferenceRouter>

describe('useDurableEventIterator', () => {
  it('infers the event type and the remote methods from the token procedure, with no casts', () => {
    const chat = useDurableEventIterator(orpc.chat.onMessage, { room: 'lobby' })
    const ticker = useDurableEventIterator(orpc.ticker.onTick, { symbol: 'ACME' })
    expectTypeOf(chat.events).toEqualTypeOf<readonly ChatMessage[]>()
    expectTypeOf(chat.lastEvent).toEqualTypeOf<ChatMessage | undefined>()
    expectTypeOf(chat.rpc.sendMessage).parameter(0).toEqualTypeOf<{ text: string }>()
    expectTypeOf(ticker.events).toEqualTypeOf<readonly Tick[]>()
    expectTypeOf(ticker.rpc).not.toHaveProperty('sendMessage')
  })

  it('types onEvent with the stream’s event', () => {
    useDurableEventIterator(
      orpc.chat.onMessage,
      { room: 'lobby' },
      {
        onEvent: (message) => expectTypeOf(message).toEqualTypeOf<ChatMessage>(),
      },
    )
  })

  it('takes its input type from the procedure', () => {
    // @ts-expect-error a ticker input for the chat procedure
    useDurableEventIterator(orpc.chat.onMessage, { symbol: 'ACME' })
  })

  it('gives unknown events for a procedure that returns a plain string', () => {
    const plain = (_input: { id: string }) => Promise.resolve('token')
    const untyped = useDurableEventIterator(plain, { id: '1' }, { queryKey: ['plain'] })
    expectTypeOf(untyped.events).toEqualTypeOf<readonly unknown[]>()
  })

  it('refuses a plain oRPC client function without queryKey at compile time', () => {
    // @ts-expect-error it cannot tell its own path
    useDurableEventIterator(client.chat.onMessage, { room: 'plain' })
    // @ts-expect-error the same for the token's query options
    durableIteratorTokenOptions(client.chat.onMessage, { room: 'plain' })
  })

  it('types a plain oRPC client function like its utils', () => {
    const result = useDurableEventIterator(client.chat.onMessage, { room: 'plain' }, { queryKey: ['chat', 'plain'] })
    expectTypeOf(result.events).toEqualTypeOf<readonly ChatMessage[]>()
  })
})

describe('durableIteratorTokenOptions', () => {
  it('tags the query key with the token type, so getQueryData is typed', () => {
    const options = durableIteratorTokenOptions(orpc.chat.onMessage, { room: 'lobby' })
    expectTypeOf(options.queryKey).not.toBeAny()
  })
})
