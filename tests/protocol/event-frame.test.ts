/**
 * An event is encoded once per publish and its frame reused for every subscriber: the frames must be byte for byte
 * what oRPC's own server writes for the same event, through its peer (as the Node hub sent them before) and through
 * its hibernation helper (as the Durable Object sent them before).
 */
import { implement, withEventMeta } from '@orpc/server'
import { encodeHibernationRPCEvent } from '@orpc/server/hibernation'
import { StandardRPCHandler } from '@orpc/server/standard'
import { createServerPeerHandleRequestFn } from '@orpc/server/standard-peer'
import { ServerPeer } from '@orpc/standard-server-peer'
import { describe, expect, it } from 'vitest'
import { durableIteratorContract } from '../../src/protocol/contract'
import { EncodedEvent, encodeEventData } from '../../src/protocol/event-frame'

const payloads: [string, object][] = [
  ['plain JSON', { text: 'hello', n: 1, nested: { list: [1, 'two', null] } }],
  ['unicode and escapes', { text: 'ü "quoted" \\ \n 🎉' }],
  ['an array', [1, 2, 3]],
  ['an empty object', {}],
  ['a date', { at: new Date('2025-01-02T03:04:05.678Z') }],
  ['a bigint', { big: 12345678901234567890n }],
  ['a map and a set', { map: new Map([['a', 1]]), set: new Set(['x', 'y']) }],
  ['undefined, NaN and infinities', { missing: undefined, list: [undefined, Number.NaN, Number.POSITIVE_INFINITY] }],
  ['a URL and a regexp', { url: new URL('https://example.test/a?b=c'), pattern: /a+b/gi }],
]

/** The frames oRPC's server peer sends for a `subscribe` that yields `events`, under request id `requestId`. */
async function framesFromORPCPeer(requestId: string, events: object[]): Promise<string[]> {
  const router = implement(durableIteratorContract).router({
    subscribe: implement(durableIteratorContract).subscribe.handler(async function* () {
      for (const event of events) yield event
    }),
    updateToken: implement(durableIteratorContract).updateToken.handler(() => undefined),
    call: implement(durableIteratorContract).call.handler(() => undefined),
    ping: implement(durableIteratorContract).ping.handler(() => undefined),
  })
  const frames: string[] = []
  const peer = new ServerPeer((frame) => {
    frames.push(String(frame))
  })
  await peer.message(
    JSON.stringify({ i: requestId, p: { u: '/subscribe', b: {} } }),
    createServerPeerHandleRequestFn(new StandardRPCHandler(router), { context: {} }),
  )
  // The first frame is the response that opens the stream; the last one ends it.
  return frames.filter((frame) => JSON.parse(frame).p?.e === 'message')
}

describe('an event encoded once', () => {
  it.each(payloads)('is the frame oRPC’s server peer sends, for %s', async (_name, payload) => {
    const [expected] = await framesFromORPCPeer('7', [withEventMeta(payload, { id: '42' })])
    expect(new EncodedEvent(encodeEventData(payload), { id: '42' }).text('7')).toBe(expected)
  })

  it.each(payloads)('is the frame oRPC’s hibernation helper sends, for %s', (_name, payload) => {
    const expected = encodeHibernationRPCEvent('7', withEventMeta(payload, { id: '42' }))
    expect(new EncodedEvent(encodeEventData(payload), { id: '42' }).text('7')).toBe(expected)
  })

  it('gives each request id its own frame, and the same id the very same frame and bytes', () => {
    const event = new EncodedEvent(encodeEventData({ n: 1 }), { id: '5' })
    expect(event.text('1')).toBe('{"i":"1","t":3,"p":{"e":"message","d":{"json":{"n":1}},"m":{"id":"5"}}}')
    expect(event.text('2')).toBe('{"i":"2","t":3,"p":{"e":"message","d":{"json":{"n":1}},"m":{"id":"5"}}}')
    expect(event.bytes('1')).toBe(event.bytes('1'))
    expect(new TextDecoder().decode(event.bytes('2'))).toBe(event.text('2'))
  })

  it('writes the gap marker as oRPC writes an event with comments', async () => {
    const [expected] = await framesFromORPCPeer('1', [withEventMeta({}, { comments: ['durable-iterator:gap'] })])
    expect(new EncodedEvent(encodeEventData({}), { comments: ['durable-iterator:gap'] }).text('1')).toBe(expected)
  })
})
