/**
 * The testing mock's faults, each injected in plain sight and seen by a real client over msw (Node environment, `ws`
 * standing in for the global WebSocket that msw wraps).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDurableIteratorMock } from '../../src/testing'
import { type MockOnMsw, startMockOnMsw } from '../protocol/hosts'
import { openPlainSocket } from '../protocol/sockets'
import { Cleanup, openDurableClient, socketUrl, subscribe } from '../server/harness'

const cleanup = new Cleanup()
let served: MockOnMsw
beforeEach(() => {
  served = startMockOnMsw()
})
afterEach(async () => {
  await cleanup.run()
  await served.close()
})

async function plainSocket(channel: string, id = 'plain') {
  const token = await served.mock.issueToken(channel)
  return openPlainSocket(cleanup, served.WebSocket, socketUrl(served.url, { id, token }))
}

/** Sends a ping and resolves when it is answered. */
function ping(socket: Awaited<ReturnType<typeof plainSocket>>, id: string) {
  socket.socket.send(JSON.stringify({ i: id, p: { u: '/ping' } }))
  return socket.nextFrame((frame) => frame.i === id, `the answer to ping ${id}`)
}

describe('refuseConnections', () => {
  it('closes new sockets with 4001 or 4003 after they open, and counts them, until acceptConnections()', async () => {
    served.mock.refuseConnections(4001)
    expect(await (await plainSocket('m:refuse')).closed).toEqual({
      code: 4001,
      reason: 'invalid token: refused by the mock',
    })
    served.mock.refuseConnections(4003, 'not your room')
    const forbidden = await plainSocket('m:refuse')
    await forbidden.opened
    expect(await forbidden.closed).toEqual({ code: 4003, reason: 'not your room' })
    expect((await served.mock.stats()).connectionsRefusedOnPurpose).toBe(2)

    served.mock.acceptConnections()
    const accepted = await plainSocket('m:refuse')
    await accepted.opened
    await ping(accepted, 'p1')
  })

  it("fails new sockets before they open with 'network', as an outage does", async () => {
    served.mock.refuseConnections('network')
    const refused = await plainSocket('m:outage')
    await expect(refused.opened).rejects.toThrow(/closed \(1006\) before it opened/)
    expect((await served.mock.stats()).upgradesAccepted).toBe(0)
  })
})

describe('dropConnections', () => {
  it('cuts open sockets (1006); a resuming client loses nothing', async () => {
    const token = await served.mock.issueToken('m:drop')
    const connection = openDurableClient(cleanup, served.url, token, 'dropped', served.WebSocket)
    const events = await subscribe<{ n: number }>(cleanup, connection, { retry: Number.POSITIVE_INFINITY })
    const closes: number[] = []
    connection.socket.addEventListener('close', (event) => closes.push(event.code))
    await served.mock.publish('m:drop', { n: 0 })
    await events.waitForCount(1)

    expect(await served.mock.dropConnections('m:other')).toBe(0)
    expect(await served.mock.dropConnections('m:drop')).toBe(1)
    await served.mock.publish('m:drop', { n: 1 })
    await events.waitForCount(2)
    expect(closes).toEqual([1006])
    expect(events.values).toEqual([{ n: 0 }, { n: 1 }])
    expect((await served.mock.stats()).upgradesAccepted).toBe(2)
  })
})

describe('expireTokens', () => {
  it('closes sockets with 4001 "token expired" and refuses their tokens from then on; new tokens work', async () => {
    const token = await served.mock.issueToken('m:expire')
    const open = () => openPlainSocket(cleanup, served.WebSocket, socketUrl(served.url, { id: 'e', token }))
    const first = open()
    await first.opened
    await ping(first, 'p1')

    await served.mock.expireTokens('m:expire')
    expect(await first.closed).toEqual({ code: 4001, reason: 'token expired' })
    expect(await open().closed).toEqual({ code: 4001, reason: 'invalid token: expired' })
    const fresh = await plainSocket('m:expire')
    await fresh.opened
    await ping(fresh, 'p2')
    expect((await served.mock.stats()).expiredCloses).toBe(1)
  })
})

describe('stall', () => {
  it('answers nothing while stalled, without closing; then everything that waited flows, in order', async () => {
    const socket = await plainSocket('m:stall')
    await socket.opened
    socket.socket.send(JSON.stringify({ i: '1', p: { u: '/subscribe', b: {} } }))
    await socket.nextFrame((frame) => frame.i === '1', 'the subscribe response')

    served.mock.stall()
    socket.socket.send(JSON.stringify({ i: '2', p: { u: '/ping' } }))
    await served.mock.publish('m:stall', { n: 0 })
    const framesBefore = socket.frames.length
    // Nothing may arrive in this window: the mock is stalled.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(socket.frames.length).toBe(framesBefore)

    served.mock.endStall()
    await socket.nextFrame((frame) => frame.i === '2', 'the answer to the ping sent while stalled')
    const event = await socket.nextFrame((frame) => frame.t === 3, 'the event published while stalled')
    expect(event.p?.d?.json).toEqual({ n: 0 })
  })
})

describe('close', () => {
  it('closes every socket with 1001 and refuses new ones the same way', async () => {
    const open = await plainSocket('m:close')
    await open.opened
    await served.mock.close()
    expect(await open.closed).toEqual({ code: 1001, reason: 'the mock closed' })
    expect(await (await plainSocket('m:close', 'late')).closed).toEqual({ code: 1001, reason: 'the mock closed' })
  })
})

it("refuses refuseUpgradesWith: 'http-status', saying there is no HTTP upgrade under msw", () => {
  expect(() =>
    // @ts-expect-error: not an option of the mock
    createDurableIteratorMock({ url: 'ws://x.test/durable', refuseUpgradesWith: 'http-status' }),
  ).toThrow(/no HTTP upgrade/)
})
