import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { signDurableIteratorToken } from '../../src/server'
import {
  Cleanup,
  type EventCollector,
  type HubServer,
  openDurableClient,
  SIGNING_KEY,
  socketUrl,
  startHubServer,
  subscribe,
} from '../server/harness'

const PRIVATE = 'chat:private'
const FUZZED = 'chat:fuzzed'
const cleanup = new Cleanup()
let server: HubServer<Record<never, never>>
let healthy: EventCollector<{ marker: string }>
let fuzzedToken: string
let published = 0
/** Everything any fuzzing socket received, to check that no private event ever reached one. */
const receivedByFuzzers: string[] = []

beforeAll(async () => {
  server = await startHubServer({ maxPayloadBytes: 4096 })
  const privateToken = await signDurableIteratorToken({ chn: PRIVATE }, { signingKey: SIGNING_KEY, ttlSeconds: 600 })
  fuzzedToken = await signDurableIteratorToken(
    { chn: FUZZED, rpc: ['anything'] },
    { signingKey: SIGNING_KEY, ttlSeconds: 600 },
  )
  healthy = await subscribe(cleanup, openDurableClient(cleanup, server.durableUrl, privateToken))
})
afterAll(async () => {
  await cleanup.run()
  await server.close()
})

/** Opens a socket on the fuzzed channel with a valid token, and records what it receives. */
function fuzzer(): Promise<WebSocket> {
  const socket = new WebSocket(socketUrl(server.durableUrl, { id: crypto.randomUUID(), token: fuzzedToken }))
  socket.on('message', (data) => receivedByFuzzers.push(data.toString()))
  socket.on('error', () => {})
  cleanup.add(() => socket.terminate())
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket))
    socket.once('close', (code) => reject(new Error(`fuzzing socket refused (${code})`)))
  })
}

/** Sends `frame`, then proves the hub still serves the healthy subscriber on another channel. */
async function sendAndCheckHub(socket: WebSocket, frame: string | Uint8Array): Promise<void> {
  if (socket.readyState === WebSocket.OPEN) socket.send(frame)
  const marker = `secret-${published++}`
  server.hub.publish(PRIVATE, { marker })
  await healthy.waitForCount(published, 'private events')
}

const orpcShapedFrame = fc
  .record(
    {
      i: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      t: fc.oneof(fc.integer({ min: -1, max: 12 }), fc.string()),
      p: fc.oneof(
        fc.record(
          {
            u: fc.oneof(
              fc.constantFrom('/subscribe', '/updateToken', '/call', '/ping', '/', '/../subscribe'),
              fc.string(),
            ),
            b: fc.oneof(
              fc.jsonValue(),
              fc.record({ json: fc.jsonValue(), meta: fc.jsonValue() }, { requiredKeys: [] }),
            ),
            h: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.array(fc.string()))),
            m: fc.constantFrom('POST', 'GET', 'DELETE', 'NOPE'),
          },
          { requiredKeys: [] },
        ),
        fc.jsonValue(),
      ),
    },
    { requiredKeys: [] },
  )
  .map((message) => JSON.stringify(message))

describe('the hub, fuzzed', () => {
  it('random oRPC-shaped JSON frames never crash it, never disturb another socket, never leak another channel', async () => {
    const socket = await fuzzer()
    let current = socket
    await fc.assert(
      fc.asyncProperty(orpcShapedFrame, async (frame) => {
        if (current.readyState !== WebSocket.OPEN) current = await fuzzer()
        await sendAndCheckHub(current, frame)
      }),
      { numRuns: 300 },
    )
  })

  it('random bytes and random text never crash it, never disturb another socket, never leak another channel', async () => {
    let current = await fuzzer()
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 6000 }), fc.string({ maxLength: 300 })), async (frame) => {
        if (current.readyState !== WebSocket.OPEN) current = await fuzzer()
        await sendAndCheckHub(current, frame)
      }),
      { numRuns: 200 },
    )
  })

  it('the healthy subscriber got every private event once, in order, and no fuzzing socket saw one', () => {
    expect(healthy.values.map((event) => event.marker)).toEqual(
      Array.from({ length: published }, (_, index) => `secret-${index}`),
    )
    expect(healthy.error).toBeUndefined()
    expect(receivedByFuzzers.some((message) => message.includes('secret-'))).toBe(false)
    expect(server.hub.stats().framesRejected).toBeGreaterThan(0)
  })

  it('random upgrade query strings: accepted only with a client id and the valid token, else closed 4000/4001', async () => {
    const value = fc.oneof(fc.constant(fuzzedToken), fc.string({ maxLength: 40 }), fc.constant(''))
    const param = fc.tuple(fc.constantFrom('id', 'token', 'ID', 'tok', 'id[]'), value)
    await fc.assert(
      fc.asyncProperty(fc.array(param, { maxLength: 6 }), async (params) => {
        const query = new URLSearchParams(params).toString()
        const lastOf = (key: string) => params.filter(([name]) => name === key).at(-1)?.[1]
        const expected = !lastOf('id') ? 4000 : lastOf('token') === fuzzedToken ? 'accepted' : 4001
        const outcome = await upgradeOutcome(`${server.durableUrl}?${query}`)
        expect(outcome).toBe(expected)
      }),
      { numRuns: 150 },
    )
  })
})

/** 'accepted' if the hub kept the socket, else the close code it was refused with. */
function upgradeOutcome(url: string): Promise<number | 'accepted'> {
  const before = server.hub.stats().upgradesAccepted
  const socket = new WebSocket(url)
  socket.on('error', () => {})
  cleanup.add(() => socket.terminate())
  return new Promise((resolve) => {
    socket.once('close', (code) => resolve(code))
    // The hub counts an accepted socket before the client sees it open; a refused one closes right after.
    socket.once('open', () => {
      if (server.hub.stats().upgradesAccepted > before) {
        socket.terminate()
        resolve('accepted')
      }
    })
  })
}
