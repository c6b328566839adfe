import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { fakeStream } from './token-desk'

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

it('opens: fetches a token, upgrades with the client id and token, subscribes, and reads events', async () => {
  const { server, desk, connection } = fakeStream()
  const statuses: string[] = []
  connection.subscribe(() => {
    const { status } = connection.getSnapshot()
    if (statuses.at(-1) !== status) statuses.push(status)
  })
  connection.start()
  expect(connection.getSnapshot().status).toBe('connecting')
  await vi.advanceTimersByTimeAsync(0)
  const socket = server.latest
  expect(socket.params.get('id')).toBe(connection.clientId)
  expect(socket.params.get('token')).toBe(desk.issued[0])
  socket.accept()
  await vi.advanceTimersByTimeAsync(0)
  expect(connection.getSnapshot().status).toBe('open')
  server.publish({ text: 'hello' })
  await vi.advanceTimersByTimeAsync(0)
  expect(connection.getSnapshot().events).toEqual([{ text: 'hello' }])
  expect(statuses).toEqual(['connecting', 'open'])
  connection.dispose()
})
