/**
 * The three hosts of the protocol, started the same way for the conformance suite: the Node hub on a real socket,
 * the Durable Object in workerd (miniflare), and the testing mock behind msw. Each says what it cannot do, and signs
 * tokens where it runs: the Node hub and the mock in this process, the Durable Object's Worker in workerd.
 */
import { setupServer } from 'msw/node'
import { WebSocket as NodeWebSocket } from 'ws'
import type { DurableIteratorGrant, RefuseUpgradesWith, RemotePublishOptions } from '../../src/cloudflare/index.js'
import { type DurableIteratorHubStats, signDurableIteratorToken } from '../../src/server'
import { createDurableIteratorMock, type DurableIteratorMock, type DurableIteratorMockOptions } from '../../src/testing'
import { startCloudflareHub } from '../cloudflare/harness'
import { testHubOptions, testMethods } from '../cloudflare/methods'
import { SIGNING_KEY, startHubServer } from '../server/harness'

/** What a host does, or why it cannot (a sentence the suite shows in place of the test). */
export type Capability = true | string

export interface HostCapabilities {
  /** Refuses upgrades with an HTTP status before upgrading (`refuseUpgradesWith: 'http-status'`). */
  httpRefusals: Capability
  /** Counts what it does (`stats()`). */
  stats: Capability
  /** Refuses sockets over `maxSockets` with 1013. */
  maxSockets: Capability
  /** Publishes values JSON cannot carry (dates, bigints, maps, sets) as they are. */
  richPayloads: Capability
}

/** A token for `grant`, valid for `ttlSeconds` from `nowMs`, signed with the host's key where the host runs. */
export type SignToken = (grant: DurableIteratorGrant, ttlSeconds: number, nowMs: number) => Promise<string>

export interface ProtocolHost {
  durableUrl: string
  signToken: SignToken
  /** The WebSocket class that reaches this host. */
  WebSocket: unknown
  publish(channel: string, payload: object, options?: RemotePublishOptions): Promise<void>
  /** Counters, where the host has them. */
  stats?(): Promise<DurableIteratorHubStats>
  close(): Promise<void>
}

export interface HostOptions {
  refuseUpgradesWith?: RefuseUpgradesWith
  /** Only where `capabilities.maxSockets` is true. */
  maxSockets?: number
}

export interface HostKind {
  name: string
  capabilities: HostCapabilities
  start(options?: HostOptions): Promise<ProtocolHost>
}

/** Signs in this process, with the key the Node hub and the mock are started with. */
const signHere: SignToken = (grant, ttlSeconds, nowMs) =>
  signDurableIteratorToken(grant, { signingKey: SIGNING_KEY, ttlSeconds, nowMs })

const nodeHub: HostKind = {
  name: 'the Node hub',
  capabilities: { httpRefusals: true, stats: true, maxSockets: true, richPayloads: true },
  async start(options = {}) {
    const server = await startHubServer({ ...testHubOptions, methods: testMethods, ...options })
    return {
      durableUrl: server.durableUrl,
      signToken: signHere,
      WebSocket: NodeWebSocket,
      publish: async (channel, payload, publishOptions) => server.hub.publish(channel, payload, publishOptions),
      stats: async () => server.hub.stats(),
      close: () => server.close(),
    }
  },
}

const durableObject: HostKind = {
  name: 'the Durable Object',
  capabilities: {
    httpRefusals: true,
    stats: 'the Durable Object keeps no counters (each channel is its own object)',
    maxSockets: 'the Durable Object has no maxSockets: the Workers runtime bounds sockets per object',
    richPayloads: 'publishes reach the object as JSON (publishDurableIteratorEvent), so only JSON values arrive',
  },
  async start({ refuseUpgradesWith } = {}) {
    const hub = await startCloudflareHub({ refuseUpgradesWith })
    return {
      durableUrl: hub.durableUrl,
      signToken: (grant, ttlSeconds, nowMs) => hub.signToken(grant, { ttlSeconds, nowMs }),
      WebSocket: NodeWebSocket,
      publish: hub.publish,
      close: hub.close,
    }
  },
}

/**
 * One msw server for every mock started here, listening while any is: two servers would both patch the global
 * WebSocket. Each mock gets its own URL, so that one's handlers never answer another's sockets.
 */
const msw = setupServer()
let mocksRunning = 0
let mocksStarted = 0

export interface MockOnMsw {
  mock: DurableIteratorMock<typeof testMethods>
  url: string
  /** msw's stand-in for the global WebSocket, which it made in `listen()`. */
  WebSocket: unknown
  close(): Promise<void>
}

/** A testing mock with the suite's key, methods and settings, served by msw in Node. */
export function startMockOnMsw(options: Partial<DurableIteratorMockOptions<typeof testMethods>> = {}): MockOnMsw {
  const url = `ws://durable-${++mocksStarted}.test/durable`
  const mock = createDurableIteratorMock({
    url,
    signingKey: SIGNING_KEY,
    methods: testMethods,
    ...testHubOptions,
    ...options,
  })
  // Node 20 has no global WebSocket for msw to intercept: `ws` stands in, and msw wraps it.
  const globals = globalThis as { WebSocket?: unknown }
  globals.WebSocket ??= NodeWebSocket
  if (mocksRunning++ === 0) msw.listen({ onUnhandledRequest: 'bypass' })
  msw.use(...mock.handlers)
  return {
    mock,
    url,
    WebSocket: globals.WebSocket,
    async close() {
      await mock.close()
      if (--mocksRunning === 0) msw.close()
    },
  }
}

const testingMock: HostKind = {
  name: 'the testing mock',
  capabilities: {
    httpRefusals: 'msw intercepts the WebSocket itself: there is no HTTP upgrade to answer with a status',
    stats: true,
    maxSockets: true,
    richPayloads: true,
  },
  async start({ maxSockets } = {}) {
    const { mock, url, WebSocket, close } = startMockOnMsw({ maxSockets })
    return {
      durableUrl: url,
      signToken: signHere,
      WebSocket,
      publish: (channel, payload, publishOptions) => mock.publish(channel, payload, publishOptions),
      stats: () => mock.stats(),
      close,
    }
  },
}

export const hosts: HostKind[] = [nodeHub, durableObject, testingMock]
