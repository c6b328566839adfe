import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { fakeStream } from './token-desk'

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

const settle = () => vi.advanceTimersByTimeAsync(0)

async function openWithHeartbeat() {
  const stream = fakeStream({ heartbeat: { intervalMs: 1000, timeoutMs: 500 } })
  stream.connection.start()
  await settle()
  stream.server.latest.accept()
  await settle()
  expect(stream.connection.getSnapshot().status).toBe('open')
  return stream
}

const probesSent = (frames: string[]) => frames.filter((frame) => frame.includes('/ping')).length

it('a quiet, healthy socket is probed after intervalMs of silence, answers, and is kept', async () => {
  const { connection, server } = await openWithHeartbeat()
  await vi.advanceTimersByTimeAsync(10_000)
  expect(probesSent(server.latest.sent)).toBeGreaterThanOrEqual(6)
  expect(server.sockets).toHaveLength(1)
  expect(connection.getSnapshot().status).toBe('open')
  connection.dispose()
})

it('a half-open socket (no answer, no close) is replaced exactly intervalMs + timeoutMs after its last frame', async () => {
  const { connection, server } = await openWithHeartbeat()
  const socket = server.latest
  server.stalled.add(socket)
  await vi.advanceTimersByTimeAsync(1499)
  expect(probesSent(socket.sent)).toBe(1)
  expect(socket.closedByClient).toBeUndefined()
  await vi.advanceTimersByTimeAsync(1)
  expect(socket.closedByClient).toBeDefined()
  expect(connection.getSnapshot()).toMatchObject({ status: 'reconnecting', error: { code: 'CONNECTION_LOST' } })
  expect(connection.getSnapshot().error?.message).toMatch(/No answer to a heartbeat within 500 ms after 1000 ms/)
  await vi.advanceTimersByTimeAsync(10)
  expect(server.sockets).toHaveLength(2)
  connection.dispose()
})

it('turning the heartbeat on while open starts probing, in place', async () => {
  const { connection, server, reconfigure } = fakeStream()
  connection.start()
  await settle()
  server.latest.accept()
  await settle()
  await vi.advanceTimersByTimeAsync(20_000)
  expect(probesSent(server.latest.sent)).toBe(0)
  reconfigure({ heartbeat: { intervalMs: 1000, timeoutMs: 500 } })
  await vi.advanceTimersByTimeAsync(1000)
  expect(probesSent(server.latest.sent)).toBe(1)
  expect(server.sockets).toHaveLength(1)
  connection.dispose()
})
