import { withEventMeta } from '@orpc/client'
import { describe, expect, it } from 'vitest'
import { EventBuffer } from '../../src/connection/event-buffer'

const event = (id: number) => withEventMeta({ n: id }, { id: String(id) })

describe('EventBuffer', () => {
  it('keeps the newest `capacity` events, oldest first, across many wraps', () => {
    const buffer = new EventBuffer<{ n: number }>(3)
    for (let id = 1; id <= 10; id++) buffer.accept(event(id))
    expect(buffer.events.map((item) => item.n)).toEqual([8, 9, 10])
    expect(buffer.lastEventId).toBe('10')
  })

  it('hands out the same array until the next event, and a new one after', () => {
    const buffer = new EventBuffer<{ n: number }>(3)
    buffer.accept(event(1))
    const first = buffer.events
    expect(buffer.events).toBe(first)
    buffer.accept(event(2))
    expect(buffer.events).not.toBe(first)
    expect(first.map((item) => item.n)).toEqual([1])
  })

  it('drops an event whose id is not after the last one (an overlapping replay)', () => {
    const buffer = new EventBuffer<{ n: number }>(10)
    for (const id of [1, 2, 3, 2, 3, 4]) buffer.accept(event(id))
    expect(buffer.events.map((item) => item.n)).toEqual([1, 2, 3, 4])
  })

  it('grows when a user asks for more, keeping order', () => {
    const buffer = new EventBuffer<{ n: number }>(2)
    for (let id = 1; id <= 5; id++) buffer.accept(event(id))
    buffer.ensureCapacity(4)
    for (let id = 6; id <= 7; id++) buffer.accept(event(id))
    expect(buffer.events.map((item) => item.n)).toEqual([4, 5, 6, 7])
  })
})
