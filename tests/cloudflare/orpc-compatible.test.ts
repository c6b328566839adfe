/**
 * Both hubs in oRPC-compatible mode (tokens in oRPC's signed-value format, refusals as HTTP before the upgrade), used
 * by this package's client and by a client built like oRPC's own (tests/support/orpc-style-client.ts), with tokens
 * from a token procedure behind `DurableIteratorTokenPlugin`: a Node server's for the Node hub, the Worker's own for
 * the Durable Object.
 */
import { createORPCClient } from '@orpc/client'
import { StandardRPCJsonSerializer } from '@orpc/client/standard'
import type { RouterClient } from '@orpc/server'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Cleanup, SIGNING_KEY, startHubServer, waitFor } from '../server/harness'
import { createORPCStyleClient, type ORPCStyleDurableIterator } from '../support/orpc-style-client'
import { openPackageClient } from '../support/package-client'
import { recordingWebSocket } from '../support/recording-websocket'
import { startTokenEndpoint } from '../support/token-endpoint'
import { startCloudflareHub } from './harness'
import { testHubOptions, testMethods } from './methods'

const GRANT = { rpc: ['sendMessage', 'whoAmI'], att: { name: 'ada' } } as const

interface Engine {
  /** The token procedures (tests/support/token-router.ts), oRPC over HTTP. */
  rpcUrl: string
  durableUrl: string
  publish(channel: string, payload: object): Promise<void>
  close(): Promise<void>
}

async function nodeHub(): Promise<Engine> {
  const server = await startHubServer({
    ...testHubOptions,
    methods: testMethods,
    tokenFormat: 'orpc',
    refuseUpgradesWith: 'http-status',
  })
  const tokens = await startTokenEndpoint({
    signingKey: SIGNING_KEY,
    issue: (room) => server.hub.issueToken(room, GRANT),
  })
  return {
    rpcUrl: tokens.rpcUrl,
    durableUrl: server.durableUrl,
    publish: async (channel, payload) => server.hub.publish(channel, payload),
    async close() {
      await tokens.close()
      await server.close()
    },
  }
}

async function durableObjectHub(): Promise<Engine> {
  const hub = await startCloudflareHub({ refuseUpgradesWith: 'http-status', tokenFormat: 'orpc', roomGrant: GRANT })
  return { rpcUrl: hub.rpcUrl, durableUrl: hub.durableUrl, publish: hub.publish, close: hub.close }
}

type Methods = RouterClient<typeof testMethods>

describe.each([
  ['the Node hub', nodeHub],
  ['the Durable Object hub', durableObjectHub],
])("%s with tokenFormat 'orpc' and refuseUpgradesWith 'http-status'", (_name, start) => {
  let engine: Engine
  const cleanup = new Cleanup()
  beforeAll(async () => {
    engine = await start()
  })
  afterEach(() => cleanup.run())
  afterAll(() => engine.close())

  describe("this package's client", () => {
    it('calls a remote method without input with a call frame that has an `input` key, as oRPC’s server requires', async () => {
      const frames = recordingWebSocket()
      const client = openPackageClient(engine.rpcUrl, 'compat:no-input', {
        url: engine.durableUrl,
        WebSocket: frames.WebSocket,
      })
      cleanup.add(() => client.dispose())
      await client.waitForStatus('open')
      const rpc = createORPCClient<Methods>(client.connection.rpcLink)

      await expect(rpc.whoAmI()).resolves.toEqual({ clientId: client.connection.clientId, att: { name: 'ada' } })
      await expect(rpc.sendMessage({ text: 'hi' })).resolves.toMatchObject({ text: 'hi' })

      const calls = frames.sent
        .map(
          (frame) => JSON.parse(frame) as { p?: { u?: string; b?: { json: unknown; meta?: [number, ...string[]][] } } },
        )
        .filter((message) => message.p?.u === '/call')
      expect(calls).toHaveLength(2)
      const [withoutInput, withInput] = calls.map(({ p }) => p?.b)
      // On the wire: `input: null` marked as undefined; decoded as oRPC's server decodes it, the key is there.
      expect(withoutInput).toEqual({ json: { path: ['whoAmI'], input: null }, meta: [[3, 'input']] })
      const decoded = new StandardRPCJsonSerializer().deserialize(withoutInput?.json, withoutInput?.meta ?? [])
      expect(Object.hasOwn(decoded as object, 'input')).toBe(true)
      expect((decoded as { input: unknown }).input).toBeUndefined()
      expect(withInput).toEqual({ json: { path: ['sendMessage'], input: { text: 'hi' } } })
    })

    it('receives events published to the token’s channel', async () => {
      const client = openPackageClient<{ n: number }>(engine.rpcUrl, 'compat:events', { url: engine.durableUrl })
      cleanup.add(() => client.dispose())
      await client.waitForStatus('open')
      await engine.publish('compat:events', { n: 1 })
      await waitFor(() => client.connection.getSnapshot().events.length === 1, 'the event')
      expect(client.connection.getSnapshot().events).toEqual([{ n: 1 }])
    })
  })

  describe("a client built like oRPC's", () => {
    type ORPCStyleApi = { room: (input: { room: string }) => Promise<ORPCStyleDurableIterator<{ n: number }>> }

    async function open(room: string) {
      const api = createORPCStyleClient<ORPCStyleApi>(engine.rpcUrl, engine.durableUrl)
      const stream = await api.room({ room })
      cleanup.add(() => stream.return?.())
      return stream
    }

    it('turns the marked token procedure into a stream: events, remote calls with and without input, FORBIDDEN', async () => {
      const stream = await open('compat:orpc-client')
      expect(stream.payload).toMatchObject({ chn: 'compat:orpc-client', rpc: ['sendMessage', 'whoAmI'] })
      await engine.publish('compat:orpc-client', { n: 1 })
      await expect(stream.next()).resolves.toMatchObject({ done: false, value: { n: 1 } })

      // oRPC's client sends no `input` key for a method called without one; both hubs accept that.
      await expect(stream.call(['whoAmI'])).resolves.toMatchObject({ att: { name: 'ada' } })
      await expect(stream.call(['sendMessage'], { text: 'from oRPC' })).resolves.toMatchObject({ text: 'from oRPC' })
      await expect(stream.next()).resolves.toMatchObject({ value: { text: 'from oRPC' } })
      await expect(stream.call(['notAllowed'])).rejects.toMatchObject({ code: 'FORBIDDEN' })
    })

    it('refreshes in-band: a new token from the procedure is accepted by updateToken on the same socket', async () => {
      const stream = await open('compat:refresh')
      const first = stream.token
      let reopened = 0
      stream.socket.addEventListener('open', () => reopened++)
      await stream.refresh()
      expect(stream.token).not.toBe(first)
      await engine.publish('compat:refresh', { n: 2 })
      await expect(stream.next()).resolves.toMatchObject({ value: { n: 2 } })
      expect(reopened).toBe(0)
    })

    it('resumes after its socket drops, losing nothing', async () => {
      const stream = await open('compat:resume')
      await engine.publish('compat:resume', { n: 0 })
      await expect(stream.next()).resolves.toMatchObject({ value: { n: 0 } })
      const reopened = new Promise((resolve) => stream.socket.addEventListener('open', resolve, { once: true }))
      stream.socket.reconnect()
      await engine.publish('compat:resume', { n: 1 })
      await reopened
      await engine.publish('compat:resume', { n: 2 })
      await expect(stream.next()).resolves.toMatchObject({ value: { n: 1 } })
      await expect(stream.next()).resolves.toMatchObject({ value: { n: 2 } })
    })
  })
})
