/**
 * The heartbeat probe against both engines, and against the Durable Object's hibernation: the runtime answers the
 * probe itself (WebSocket auto-response), so heartbeating clients neither wake an idle object nor keep it awake.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { HEARTBEAT_ANSWER_FRAME, HEARTBEAT_PROBE_FRAME, isHeartbeatAnswer } from '../../src/protocol/heartbeat'
import { signDurableIteratorToken } from '../../src/server'
import { Cleanup, openRawSocket, SIGNING_KEY, socketUrl, startHubServer, waitFor } from '../server/harness'
import { openPackageClient } from '../support/package-client'
import { recordingWebSocket } from '../support/recording-websocket'
import { type CloudflareHub, startCloudflareHub } from './harness'

/** A hub of either engine, with a token signer where it runs: this process for the Node hub, workerd for the object. */
interface Hub {
  durableUrl: string
  signToken(chn: string): Promise<string>
  close(): Promise<void>
}

async function nodeHub(): Promise<Hub> {
  const server = await startHubServer()
  return {
    durableUrl: server.durableUrl,
    signToken: (chn) => signDurableIteratorToken({ chn }, { signingKey: SIGNING_KEY, ttlSeconds: 60 }),
    close: () => server.close(),
  }
}

async function durableObjectHub(): Promise<Hub> {
  const hub = await startCloudflareHub()
  return { durableUrl: hub.durableUrl, signToken: (chn) => hub.signToken({ chn }), close: hub.close }
}

/** Opens a raw socket with `token` and returns it with the text frames it receives. */
async function rawSocket(cleanup: Cleanup, durableUrl: string, token: string) {
  const raw = openRawSocket(cleanup, socketUrl(durableUrl, { id: 'raw', token }))
  const frames: string[] = []
  raw.socket.on('message', (data) => frames.push(data.toString()))
  await raw.opened
  return { ...raw, frames }
}

describe.each([
  ['the Node hub', nodeHub],
  ['the Durable Object hub', durableObjectHub],
])('%s', (_name, start) => {
  let hub: Hub
  const cleanup = new Cleanup()
  beforeAll(async () => {
    hub = await start()
  })
  afterEach(() => cleanup.run())
  afterAll(() => hub.close())

  it('answers each heartbeat probe with a success response under the probe’s request id', async () => {
    const { socket, frames } = await rawSocket(cleanup, hub.durableUrl, await hub.signToken('heartbeat:answers'))
    // One probe at a time, as the client sends them (a server ignores a request whose id is still in flight).
    for (let i = 1; i <= 3; i++) {
      socket.send(HEARTBEAT_PROBE_FRAME)
      await waitFor(
        () => frames.length >= i,
        () => `answer ${i}, got ${JSON.stringify(frames)}`,
      )
    }
    for (const frame of frames) {
      expect(isHeartbeatAnswer(frame)).toBe(true)
      // An oRPC response message: no status means 200.
      expect(JSON.parse(frame)).toMatchObject({
        i: 'rdi-heartbeat',
        p: expect.not.objectContaining({ s: expect.anything() }),
      })
    }
  })
})

describe('the Durable Object and hibernation', () => {
  let hub: CloudflareHub
  const cleanup = new Cleanup()
  beforeAll(async () => {
    hub = await startCloudflareHub({ tokenTtlSeconds: 120 })
  })
  afterEach(() => cleanup.run())
  afterAll(() => hub.close())

  it('answers the probe with the fixed frame without running the object’s code; any other frame runs it', async () => {
    const token = await hub.signToken({ chn: 'heartbeat:no-code' })
    const { socket, frames } = await rawSocket(cleanup, hub.durableUrl, token)
    const before = await hub.activity('heartbeat:no-code')
    for (let i = 1; i <= 5; i++) {
      socket.send(HEARTBEAT_PROBE_FRAME)
      await waitFor(() => frames.length >= i, `answer ${i}`)
    }
    expect(frames).toEqual(Array(5).fill(HEARTBEAT_ANSWER_FRAME))
    expect(await hub.activity('heartbeat:no-code')).toMatchObject({ messages: before.messages })

    // The same request under another id is not the auto-response's exact string: the object runs `ping`.
    socket.send(HEARTBEAT_PROBE_FRAME.replace('rdi-heartbeat', 'rdi-heartbeat-2'))
    await waitFor(() => frames.length >= 6, 'the ping answer')
    expect(await hub.activity('heartbeat:no-code')).toMatchObject({ messages: before.messages + 1 })
  })

  it('a client heartbeating an idle object every second for 15 s never wakes it: the object hibernates, the stream stays open', {
    timeout: 40_000,
  }, async () => {
    const frames = recordingWebSocket()
    const client = openPackageClient<{ n: number }>(hub.rpcUrl, 'heartbeat:idle', {
      url: hub.durableUrl,
      heartbeat: { intervalMs: 1000, timeoutMs: 500 },
      WebSocket: frames.WebSocket,
    })
    cleanup.add(() => client.dispose())
    await client.waitForStatus('open')
    const before = await hub.activity('heartbeat:idle')

    // workerd evicts an object whose only connections are hibernatable sockets after about 10 s without events.
    await new Promise((resolve) => setTimeout(resolve, 15_000))
    const after = await hub.activity('heartbeat:idle')

    const probes = frames.sent.filter((frame) => frame === HEARTBEAT_PROBE_FRAME).length
    const answers = frames.received.filter((frame) => frame === HEARTBEAT_ANSWER_FRAME).length
    expect(probes).toBeGreaterThanOrEqual(10)
    expect(answers).toBeGreaterThanOrEqual(probes - 1)
    // Not one probe ran the object's code, and the object was evicted (constructed again when asked) meanwhile.
    expect(after.messages).toBe(before.messages)
    expect(after.constructed).toBeGreaterThan(before.constructed)
    expect(after.instanceId).not.toBe(before.instanceId)
    // The socket outlived the hibernation: no reconnect, and a publish still arrives.
    expect(client.statuses).toEqual(['connecting', 'open'])
    await hub.publish('heartbeat:idle', { n: 1 })
    await waitFor(() => client.connection.getSnapshot().events.length === 1, 'the event published after hibernation')
    expect(client.connection.getSnapshot().events).toEqual([{ n: 1 }])
  })
})
