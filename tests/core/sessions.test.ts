/**
 * Sign-out and sign-in while a stream lingers: the refused stream must come back for the next user without
 * reconnect(), and nothing of the previous session may reach them.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { ConnectionRegistry } from '../../src/connection/connection-registry'
import { fakeStream } from './token-desk'

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

const settle = () => vi.advanceTimersByTimeAsync(0)
const KEY = '["durable-token","lobby"]'

async function signedInStream() {
  const stream = fakeStream()
  const registry = new ConnectionRegistry(1000)
  const lease = registry.acquire(KEY, () => stream.connection)
  await settle()
  stream.server.latest.accept()
  await settle()
  stream.server.publish({ text: "alice's message" })
  await settle()
  expect(stream.connection.getSnapshot()).toMatchObject({ status: 'open', lastEventId: '1' })
  return { ...stream, registry, lease }
}

async function signOut(stream: Awaited<ReturnType<typeof signedInStream>>) {
  stream.desk.mode = 'refuse'
  await stream.queryClient.invalidateQueries({ queryKey: stream.tokenQuery.queryKey })
  await settle()
  expect(stream.connection.getSnapshot()).toMatchObject({ status: 'error', error: { code: 'TOKEN_REFUSED' } })
}

it('signed out and in again within lingerMs: invalidating the token after sign-in reopens the stream as a new session', async () => {
  const stream = await signedInStream()
  const aliceId = stream.connection.clientId
  stream.lease.release()
  await signOut(stream)
  // A second invalidation while refused still reaches the stream: it watches its token query while in error.
  stream.desk.mode = 'issue'
  await stream.queryClient.invalidateQueries({ queryKey: stream.tokenQuery.queryKey })
  await settle()
  expect(stream.connection.getSnapshot()).toMatchObject({ status: 'connecting', events: [], lastEventId: undefined })
  expect(stream.connection.clientId).not.toBe(aliceId)
  stream.server.latest.accept()
  await settle()
  expect(stream.connection.getSnapshot().status).toBe('open')
  // A new session resumes nothing: the server is not asked to replay the previous user's stream.
  expect(stream.server.subscribes.at(-1)).toEqual({ lastEventId: undefined })
  expect(stream.server.latest.params.get('id')).not.toBe(aliceId)
  expect(stream.server.latest.params.get('token')).toBe(stream.desk.issued.at(-1))
})

it('signed out and in again within lingerMs: mounting the stream again reopens it as a new session', async () => {
  const stream = await signedInStream()
  stream.lease.release()
  await signOut(stream)
  stream.desk.mode = 'issue'
  const lease = stream.registry.acquire(KEY, () => {
    throw new Error('the lingering connection is reused')
  })
  expect(lease.connection).toBe(stream.connection)
  await settle()
  stream.server.latest.accept()
  await settle()
  expect(stream.connection.getSnapshot()).toMatchObject({ status: 'open', events: [] })
  expect(stream.desk.calls).toBe(3)
  lease.release()
})

it('a stream that lost only its connection keeps its session when mounted again', async () => {
  const stream = await signedInStream()
  const { clientId } = stream.connection
  stream.connection.close()
  stream.lease.release()
  stream.registry.acquire(KEY, () => stream.connection)
  await settle()
  stream.server.latest.accept()
  await settle()
  expect(stream.connection.clientId).toBe(clientId)
  expect(stream.server.subscribes.at(-1)).toEqual({ lastEventId: '1' })
  expect(stream.connection.getSnapshot().events).toEqual([{ text: "alice's message" }])
})
