/**
 * Races in the connection core, driven step by step: a scripted server on fake sockets, a scripted token
 * procedure, and fake timers, so each interleaving happens exactly as written.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DurableIteratorError } from '../../src'
import { fakeStream } from './token-desk'

type Stream = ReturnType<typeof fakeStream>
const streams: Stream[] = []

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
})
afterEach(() => {
  for (const stream of streams.splice(0)) stream.connection.dispose()
  vi.useRealTimers()
})

/** Runs everything due now (promises, zero-delay timers), as the event loop would before the next input. */
const settle = () => vi.advanceTimersByTimeAsync(0)

function stream(options: Parameters<typeof fakeStream>[0] = {}): Stream {
  const created = fakeStream(options)
  streams.push(created)
  return created
}

async function open(options: Parameters<typeof fakeStream>[0] = {}): Promise<Stream> {
  const created = stream(options)
  created.connection.start()
  await settle()
  created.server.latest.accept()
  await settle()
  expect(created.connection.getSnapshot().status).toBe('open')
  return created
}

describe('token fetches and the socket', () => {
  it('close() during a token fetch: the token that arrives later opens nothing', async () => {
    const { connection, server, desk } = stream()
    desk.mode = 'hang'
    connection.start()
    await settle()
    expect(desk.calls).toBe(1)
    connection.close()
    desk.mode = 'issue'
    desk.pending.shift()?.()
    await settle()
    expect(server.sockets).toHaveLength(0)
    expect(connection.getSnapshot().status).toBe('closed')

    connection.reconnect()
    await settle()
    expect(server.sockets).toHaveLength(1)
  })

  it('an outage costs at most one token call, even when that call fails and leaves the query invalidated', async () => {
    const { connection, server, desk, queryClient, tokenQuery } = await open({
      reconnect: { minDelayMs: 100, maxDelayMs: 1000, jitter: 0 },
    })
    expect(desk.calls).toBe(1)
    desk.mode = 'fail'
    const outageStartedAtMs = Date.now()
    server.latest.drop()
    // Ten attempts, each refused before the socket opens, as browsers see a server that is down.
    for (let attempt = 0; attempt < 10; attempt++) {
      const socket = await server.nextSocket()
      socket.refuse()
      await settle()
    }
    // Well within the token's 60 s: the cached token stays usable throughout.
    expect(Date.now() - outageStartedAtMs).toBeLessThan(20_000)
    expect(queryClient.getQueryState(tokenQuery.queryKey)?.isInvalidated).toBe(true)
    expect(desk.calls).toBe(2)
    expect(connection.getSnapshot()).toMatchObject({ status: 'reconnecting', error: { code: 'CONNECTION_FAILED' } })

    desk.mode = 'issue'
    ;(await server.nextSocket()).accept()
    await settle()
    expect(connection.getSnapshot().status).toBe('open')
    // The cached token had not expired: the reconnect used it.
    expect(desk.calls).toBe(2)
  })
})

describe('refused upgrades', () => {
  it('HTTP 401 for a token just issued (readable in Node): error CONNECTION_REFUSED after one attempt', async () => {
    const { connection, server, desk } = stream()
    connection.start()
    await settle()
    server.latest.refuse(401)
    await settle()
    const { status, error } = connection.getSnapshot()
    expect(status).toBe('error')
    expect(error?.code).toBe('CONNECTION_REFUSED')
    expect(error?.message).toMatch(/HTTP 401/)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(server.sockets).toHaveLength(1)
    expect(desk.calls).toBe(1)
  })

  it('HTTP 401 for a cached token: one retry with a fresh token, then the refusal', async () => {
    const { connection, server, desk } = await open()
    server.latest.drop()
    await settle()
    server.latest.refuse(401)
    await settle()
    expect(connection.getSnapshot()).toMatchObject({ status: 'reconnecting', error: { code: 'CONNECTION_FAILED' } })
    await vi.advanceTimersByTimeAsync(1000)
    expect(desk.calls).toBe(2)
    server.latest.refuse(401)
    await settle()
    expect(connection.getSnapshot()).toMatchObject({ status: 'error', error: { code: 'CONNECTION_REFUSED' } })
  })

  it('a refusal browsers cannot read: reconnecting with an error that says so, bounded backoff, then MAX_RETRIES with it as cause', async () => {
    const { connection, server } = stream({
      reconnect: { maxRetries: 3, minDelayMs: 250, maxDelayMs: 1000, jitter: 0 },
    })
    connection.start()
    const attemptTimes: number[] = []
    for (let attempt = 0; attempt < 4; attempt++) {
      await vi.advanceTimersByTimeAsync(attempt === 0 ? 0 : 1000)
      attemptTimes.push(Date.now())
      server.latest.refuse()
      await settle()
      if (attempt < 3) {
        const { status, error } = connection.getSnapshot()
        expect(status).toBe('reconnecting')
        expect(error?.code).toBe('CONNECTION_FAILED')
        expect(error?.message).toMatch(/closed before the WebSocket opened.*refused token is a likely cause/s)
      }
    }
    expect(server.sockets).toHaveLength(4)
    const { status, error } = connection.getSnapshot()
    expect(status).toBe('error')
    expect(error?.code).toBe('MAX_RETRIES')
    expect(error?.cause).toBeInstanceOf(DurableIteratorError)
    expect(error?.cause).toMatchObject({ code: 'CONNECTION_FAILED' })
  })
})

describe('the subscription', () => {
  it('a subscribe refused with FORBIDDEN: error CONNECTION_REFUSED about the subscription, and no retry', async () => {
    const { connection, server, desk } = stream()
    server.refuseSubscribe('FORBIDDEN', 'not a member of this room')
    connection.start()
    await settle()
    server.latest.accept()
    await settle()
    const { status, error } = connection.getSnapshot()
    expect(status).toBe('error')
    expect(error?.code).toBe('CONNECTION_REFUSED')
    expect(error?.message).toMatch(/refused the subscription \(FORBIDDEN: not a member of this room\)/)
    expect(error?.message).not.toMatch(/token procedure/)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(server.sockets).toHaveLength(1)
    expect(desk.calls).toBe(1)
  })

  it('a subscribe that fails with a server error is retried on a new socket', async () => {
    const { connection, server } = stream()
    server.refuseSubscribe('INTERNAL_SERVER_ERROR', 'restarting')
    connection.start()
    await settle()
    server.latest.accept()
    await settle()
    expect(connection.getSnapshot()).toMatchObject({ status: 'reconnecting', error: { code: 'CONNECTION_FAILED' } })
    server.script.subscribe = () => {}
    await vi.advanceTimersByTimeAsync(1000)
    server.latest.accept()
    await settle()
    expect(connection.getSnapshot().status).toBe('open')
    expect(server.sockets).toHaveLength(2)
  })
})

describe('listeners', () => {
  it('an onEvent that throws is reported to onError and the stream goes on, for every listener', async () => {
    const { connection, server } = await open()
    const failures: DurableIteratorError[] = []
    const others: string[] = []
    connection.onEvent(
      (event) => {
        if (event.text === 'boom') throw new Error('render bug')
      },
      (error) => failures.push(error),
    )
    connection.onEvent((event) => others.push(event.text))
    for (const text of ['one', 'boom', 'two']) server.publish({ text })
    await settle()
    expect(failures).toHaveLength(1)
    expect(failures[0]?.code).toBe('LISTENER_FAILED')
    expect(failures[0]?.cause).toMatchObject({ message: 'render bug' })
    expect(failures[0]?.message).toMatch(/onEvent, for the event with id 2/)
    expect(others).toEqual(['one', 'boom', 'two'])
    expect(connection.getSnapshot()).toMatchObject({ status: 'open', lastEventId: '3' })
    server.publish({ text: 'three' })
    await settle()
    expect(connection.getSnapshot().events.map((event) => event.text)).toEqual(['one', 'boom', 'two', 'three'])
  })

  it('without onError, a throwing listener goes to console.error', async () => {
    const { server, connection } = await open()
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    connection.onEvent(() => {
      throw new Error('no handler')
    })
    server.publish({ text: 'x' })
    await settle()
    expect(consoleError).toHaveBeenCalledWith(expect.objectContaining({ code: 'LISTENER_FAILED' }))
    consoleError.mockRestore()
  })
})

describe('in-band refresh', () => {
  it('an invalidation while a refresh is in flight runs another refresh, with a token fetched after it', async () => {
    const { connection, server, desk, queryClient, tokenQuery } = await open({ refreshBeforeExpirySeconds: 10 })
    desk.mode = 'hang'
    await vi.advanceTimersByTimeAsync(50_000)
    expect(desk.calls).toBe(2)
    // Sign-out while the refresh waits for its token: the procedure now refuses.
    await queryClient.invalidateQueries({ queryKey: tokenQuery.queryKey })
    desk.mode = 'refuse'
    desk.pending.shift()?.()
    await settle()
    expect(desk.calls).toBe(3)
    expect(connection.getSnapshot()).toMatchObject({ status: 'error', error: { code: 'TOKEN_REFUSED' } })
    // The token fetched before the invalidation was never handed to the server.
    expect(server.tokenUpdates).toEqual([])
  })
})

describe('settings that change while streams live', () => {
  it('a new url while open moves the socket and resumes after the last event', async () => {
    const { connection, server, reconfigure } = await open()
    server.publish({ text: 'a' })
    await settle()
    reconfigure({ url: 'ws://other.test/durable' })
    await settle()
    expect(server.latest.url).toMatch(/^ws:\/\/other\.test\/durable\?/)
    server.latest.accept()
    await settle()
    expect(server.subscribes.at(-1)).toEqual({ lastEventId: '1' })
    expect(connection.getSnapshot().status).toBe('open')
  })

  it('a new url during a backoff wait: the next attempt goes there', async () => {
    const { connection, server, reconfigure } = stream({ reconnect: { minDelayMs: 1000, jitter: 0 } })
    connection.start()
    await settle()
    server.latest.refuse()
    await settle()
    server.latest.refuse()
    await settle()
    reconfigure({ url: 'ws://other.test/durable' })
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.latest.url).toMatch(/^ws:\/\/other\.test\/durable\?/)
  })

  it('an inline url function that gives the same endpoint does not reconnect', async () => {
    const { server, reconfigure } = await open({ url: () => 'ws://durable.test/durable' })
    reconfigure({ url: () => 'ws://durable.test/durable' })
    await settle()
    expect(server.sockets).toHaveLength(1)
  })

  it('a new WebSocket implementation replaces the socket and resumes', async () => {
    const { connection, server, reconfigure } = await open()
    const second = fakeStream().server
    server.publish({ text: 'a' })
    await settle()
    reconfigure({ WebSocket: second.WebSocket })
    await settle()
    expect(server.latest.closedByClient).toBeDefined()
    expect(second.sockets).toHaveLength(1)
    expect(connection.getSnapshot().status).toBe('reconnecting')
  })

  it('turning proactive refresh on while open schedules the in-band refresh', async () => {
    const { server, reconfigure } = await open({ proactiveRefresh: false, refreshBeforeExpirySeconds: 10 })
    reconfigure({ proactiveRefresh: true, refreshBeforeExpirySeconds: 10 })
    await vi.advanceTimersByTimeAsync(51_000)
    expect(server.tokenUpdates).toHaveLength(1)
  })
})
