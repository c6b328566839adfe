import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { fakeStream } from './token-desk'

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

it('a burst of 5,000 events notifies snapshot listeners once per frame, and onEvent once per event, in order', async () => {
  const { connection, server } = fakeStream()
  connection.start()
  await vi.advanceTimersByTimeAsync(0)
  server.latest.accept()
  await vi.advanceTimersByTimeAsync(0)
  let notifications = 0
  const seen: string[] = []
  connection.subscribe(() => notifications++)
  connection.onEvent((event) => seen.push(event.text))
  for (let index = 0; index < 5000; index++) server.publish({ text: String(index) })
  // All of them are read in one go (promises only, no timer in between): one frame later, one notification.
  await vi.advanceTimersByTimeAsync(0)
  expect(seen).toHaveLength(5000)
  expect(seen).toEqual(Array.from({ length: 5000 }, (_, index) => String(index)))
  expect(notifications).toBe(0)
  // Read at any time, the snapshot is already current.
  expect(connection.getSnapshot().lastEventId).toBe('5000')
  await vi.advanceTimersByTimeAsync(16)
  expect(notifications).toBe(1)
  expect(connection.getSnapshot().events).toHaveLength(100)
  connection.dispose()
})

it('a status change is not held for a frame', async () => {
  const { connection, server } = fakeStream()
  const statuses: string[] = []
  connection.subscribe(() => statuses.push(connection.getSnapshot().status))
  connection.start()
  await vi.advanceTimersByTimeAsync(0)
  server.latest.accept()
  await vi.advanceTimersByTimeAsync(0)
  expect(statuses.at(-1)).toBe('open')
  connection.dispose()
})
