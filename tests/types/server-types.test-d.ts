// Type assertions for the server side of the types: publish typed by the channel's events, and `rpc` offering only the
// methods a token's `rpc` claim names. Checked by `tsc` in Vitest's typecheck mode: a wrong type fails as a test.
import { os, type } from '@orpc/server'
import { describe, expectTypeOf, it } from 'vitest'
import { type InferTokenEvent, type InferTokenMethods, useDurableEventIterator } from '../../src'
import { signDurableIteratorToken as signInWorker } from '../../src/cloudflare'
import {
  createDurableIteratorHub,
  type DurableIteratorHub,
  type DurableIteratorMethodContext,
  signDurableIteratorToken,
} from '../../src/server'
import { createDurableIteratorMock } from '../../src/testing'

interface ChatMessage {
  text: string
}
interface Tick {
  price: number
}
interface AppChannels {
  [channel: `chat:${string}`]: ChatMessage
  [channel: `ticker:${string}`]: Tick
}

const base = os.$context<DurableIteratorMethodContext>()
const methods = {
  sendMessage: base.input(type<{ text: string }>()).handler(({ input }) => input),
  deleteMessage: base.input(type<{ id: string }>()).handler(() => true),
}
type Methods = typeof methods

declare const hub: DurableIteratorHub<Methods, AppChannels>
declare const room: string

/** The events and methods a token procedure's output carries to `useDurableEventIterator`. */
type Stream<TToken> = { event: InferTokenEvent<Awaited<TToken>>; methods: InferTokenMethods<Awaited<TToken>> }

describe('publish', () => {
  it('takes the event type of the channel it publishes to', () => {
    hub.publish('chat:lobby', { text: 'hi' })
    hub.publish(`chat:${room}`, { text: 'hi' })
    hub.publish('ticker:ACME', { price: 1 })
    // @ts-expect-error a tick on a chat channel
    hub.publish('chat:lobby', { price: 1 })
    // @ts-expect-error a chat message without its text
    hub.publish(`chat:${room}`, {})
    // @ts-expect-error a channel the map has no type for
    hub.publish('news:today', { text: 'hi' })
  })

  it('takes any object on any channel without a channel map, and never a non-object', () => {
    const untyped = createDurableIteratorHub({ signingKey: 'k', methods })
    untyped.publish('anything', { n: 1 })
    untyped.publish(room, [1, 2])
    // @ts-expect-error payloads are objects
    untyped.publish('anything', 'text')
  })

  it('types the testing mock the same way', () => {
    const mock = createDurableIteratorMock<Methods, AppChannels>({ url: 'ws://app.test/durable', methods })
    void mock.publish('chat:lobby', { text: 'hi' })
    // @ts-expect-error a tick on a chat channel
    void mock.publish('chat:lobby', { price: 1 })
  })
})

describe('issueToken', () => {
  it('types the events by the channel and rpc by the literal claim: only the methods it names', () => {
    const token = hub.issueToken(`chat:${room}`, { rpc: ['sendMessage'] })
    expectTypeOf<Stream<typeof token>['event']>().toEqualTypeOf<ChatMessage>()
    expectTypeOf<Stream<typeof token>['methods']>().toHaveProperty('sendMessage')
    expectTypeOf<Stream<typeof token>['methods']>().not.toHaveProperty('deleteMessage')
  })

  it('offers no methods to a token without an rpc claim', () => {
    const token = hub.issueToken('ticker:ACME', { ttlSeconds: 60 })
    expectTypeOf<Stream<typeof token>['event']>().toEqualTypeOf<Tick>()
    expectTypeOf<Stream<typeof token>['methods']>().toEqualTypeOf<Record<never, never>>()
  })

  it('refuses a claim naming a method the hub does not have', () => {
    // @ts-expect-error no such method
    hub.issueToken('chat:lobby', { rpc: ['sendMesage'] })
  })

  it('takes the types as arguments too: the event, and all of the hub’s methods', () => {
    const token = hub.issueToken<{ custom: true }>('chat:lobby', { rpc: ['sendMessage'] })
    expectTypeOf<Stream<typeof token>['event']>().toEqualTypeOf<{ custom: true }>()
    expectTypeOf<Stream<typeof token>['methods']>().toHaveProperty('deleteMessage')
  })

  it('reaches the hook: rpc offers the claim’s methods and refuses others at compile time', () => {
    const chatToken = (input: { room: string }) => hub.issueToken(`chat:${input.room}`, { rpc: ['sendMessage'] })
    const { events, rpc } = useDurableEventIterator(chatToken, { room: 'lobby' }, { queryKey: ['chat', 'lobby'] })
    expectTypeOf(events).toEqualTypeOf<readonly ChatMessage[]>()
    expectTypeOf(rpc.sendMessage).parameter(0).toEqualTypeOf<{ text: string }>()
    // @ts-expect-error the token's rpc claim does not name deleteMessage: the hub would refuse it
    void rpc.deleteMessage
  })

  it('narrows the testing mock’s tokens the same way', () => {
    const mock = createDurableIteratorMock<Methods, AppChannels>({ url: 'ws://app.test/durable', methods })
    const token = mock.issueToken('chat:lobby', { rpc: ['deleteMessage'] })
    expectTypeOf<Stream<typeof token>['methods']>().toHaveProperty('deleteMessage')
    expectTypeOf<Stream<typeof token>['methods']>().not.toHaveProperty('sendMessage')
  })
})

describe('signDurableIteratorToken', () => {
  const options = { signingKey: 'k', ttlSeconds: 60 }

  it('types a token signed outside a hub by its type arguments', () => {
    const token = signDurableIteratorToken<ChatMessage, Methods>({ chn: 'chat:lobby', rpc: ['sendMessage'] }, options)
    expectTypeOf<Stream<typeof token>['event']>().toEqualTypeOf<ChatMessage>()
    expectTypeOf<Stream<typeof token>['methods']>().toHaveProperty('sendMessage')
    // @ts-expect-error no such method
    signDurableIteratorToken<ChatMessage, Methods>({ chn: 'chat:lobby', rpc: ['sendMesage'] }, options)
  })

  it('narrows rpc to the methods of a third type argument, which the claim must list', () => {
    const token = signDurableIteratorToken<ChatMessage, Methods, ['sendMessage']>(
      { chn: 'chat:lobby', rpc: ['sendMessage'] },
      options,
    )
    expectTypeOf<Stream<typeof token>['methods']>().toHaveProperty('sendMessage')
    expectTypeOf<Stream<typeof token>['methods']>().not.toHaveProperty('deleteMessage')
    // @ts-expect-error the claim must name the methods the type says
    signDurableIteratorToken<ChatMessage, Methods, ['sendMessage']>({ chn: 'chat:lobby', rpc: [] }, options)
  })

  it('gives unknown events and no methods without type arguments, and takes any method names', () => {
    const token = signDurableIteratorToken({ chn: 'chat:lobby', rpc: ['anything'] }, options)
    expectTypeOf<Stream<typeof token>['event']>().toBeUnknown()
    expectTypeOf<Stream<typeof token>['methods']>().toEqualTypeOf<Record<never, never>>()
  })

  it('is the same function in a Worker, from react-durable-iterator/cloudflare', () => {
    expectTypeOf(signInWorker).toEqualTypeOf(signDurableIteratorToken)
  })
})
