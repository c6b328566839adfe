import type { AnyRouter } from '@orpc/server'
import { type WebSocketHandler, type WebSocketHandlerConnection, ws } from 'msw'
import type { AnyChannels, ChannelEventMap, PublishToChannel } from '../protocol/channel-map.js'
import { CloseCode } from '../protocol/constants.js'
import { resolveHostOptions } from '../protocol/host-options.js'
import { MemoryHub } from '../protocol/in-memory/memory-hub.js'
import { type SigningKey, toKeyBytes } from '../protocol/signing-key.js'
import { type IssueToken, tokenIssuer } from '../protocol/token-issuer.js'
import { checkTokenFormat } from '../protocol/token-signing.js'
import { type TokenVerification, verifyTokenWithKey } from '../protocol/token-verification.js'
import { MockConnection } from './mock-connection.js'
import type { DurableIteratorMockOptions } from './mock-options.js'
import type { DurableIteratorMockStats } from './mock-stats.js'
import { ABNORMAL_CLOSURE } from './msw-transport.js'

/**
 * How the mock refuses new sockets: accepted, then closed with 4001 (token refused) or 4003 (forbidden) as the hubs
 * do; or `'network'`: failed before they open, as in an outage (a browser sees 1006).
 */
export type MockRefusal = typeof CloseCode.invalidToken | typeof CloseCode.forbidden | 'network'

/**
 * A durable-iterator hub for tests and stories: msw serves its sockets, the protocol is the hubs' own. `TMethods` and
 * `TChannels` type it as they type the Node hub (`DurableIteratorHub`).
 */
export interface DurableIteratorMock<
  TMethods extends AnyRouter = Record<never, never>,
  TChannels extends ChannelEventMap<TChannels> = AnyChannels,
> {
  /** msw handlers for the socket URL: `setupServer(...mock.handlers)` (msw/node) or `setupWorker(...)` in a browser. */
  readonly handlers: WebSocketHandler[]
  /** A real token of the protocol for `channel`, signed with the mock's key (the hook's parser reads it). */
  issueToken: IssueToken<TMethods, TChannels>
  /** Publishes to a channel's subscribers and keeps the event for resume, as a hub does. */
  publish: PublishToChannel<TChannels, Promise<void>>
  /** Cuts sockets (of one channel, or all) without a close handshake; resolves to how many. */
  dropConnections(channel?: string): Promise<number>
  /**
   * Expires the tokens seen so far (of one channel, or all): their sockets close with 4001 "token expired", and they
   * are refused as expired from now on. Tokens issued afterwards are fine.
   */
  expireTokens(channel?: string): Promise<void>
  /** Refuses every new socket this way until `acceptConnections()`. Open sockets stay open. */
  refuseConnections(refusal: MockRefusal, reason?: string): void
  acceptConnections(): void
  /** The mock stops answering, without closing: frames in both directions wait until `endStall()`. */
  stall(): void
  endStall(): void
  /** Subscribed sockets on a channel right now. */
  subscriberCount(channel: string): number
  stats(): Promise<DurableIteratorMockStats>
  /** Closes every socket (1001 by default) and refuses new ones the same way: a test or story is over. */
  close(code?: number, reason?: string): Promise<void>
}

/** How new sockets are refused right now: a close code after they open, or `'network'`. */
type Refusing = { refusal: number | 'network'; reason: string } | undefined

const DEFAULT_REASONS: Record<MockRefusal, string> = {
  [CloseCode.invalidToken]: 'invalid token: refused by the mock',
  [CloseCode.forbidden]: 'forbidden: refused by the mock',
  network: 'connection refused',
}

/**
 * Makes a durable-iterator hub that lives in the test (or the story) instead of on a server: msw intercepts the
 * WebSocket the hook opens, and the mock speaks the protocol with the same core as the Node hub and the Durable
 * Object, with faults on demand.
 *
 * ```ts
 * const mock = createDurableIteratorMock({ url: 'ws://durable.test/durable' })
 * const server = setupServer(...mock.handlers)
 * const token = await mock.issueToken('chat:lobby', { ttlSeconds: 60, rpc: ['sendMessage'] })
 * ```
 */
export function createDurableIteratorMock<
  TMethods extends AnyRouter = Record<never, never>,
  TChannels extends ChannelEventMap<TChannels> = AnyChannels,
>(options: DurableIteratorMockOptions<TMethods>): DurableIteratorMock<TMethods, TChannels> {
  if ((options.refuseUpgradesWith as string | undefined) === 'http-status') {
    throw new TypeError(
      "react-durable-iterator/testing: the mock cannot refuse upgrades with an HTTP status (refuseUpgradesWith: 'http-status'): msw intercepts the WebSocket itself, there is no HTTP upgrade. Test HTTP refusals against the Node hub or the Durable Object.",
    )
  }
  const signingKey: SigningKey = options.signingKey ?? crypto.getRandomValues(new Uint8Array(48))
  const key = toKeyBytes(signingKey)
  const tokenFormat = options.tokenFormat ?? 'jwt'
  checkTokenFormat(tokenFormat)
  /** Tokens the mock has issued or accepted, with their channel, so that `expireTokens` can expire them. */
  const seenTokens = new Map<string, string>()
  const expiredTokens = new Set<string>()
  const connections = new Set<MockConnection>()
  let refusing: Refusing
  let stalled = false
  let refusedOnPurpose = 0

  async function verifyToken(token: string): Promise<TokenVerification> {
    if (expiredTokens.has(token)) return { ok: false, reason: 'expired' }
    const verification = await verifyTokenWithKey(token, key, Date.now())
    if (verification.ok) seenTokens.set(token, verification.claims.chn)
    return verification
  }

  const hub = new MemoryHub({
    ...resolveHostOptions(options),
    verifyToken,
    maxSockets: options.maxSockets ?? 10_000,
    methods: options.methods,
  })

  async function connect({ client }: WebSocketHandlerConnection): Promise<void> {
    const connection = new MockConnection(client, (closed) => {
      connections.delete(closed)
      if (closed.socket) hub.closed(closed.socket)
    })
    connections.add(connection)
    const { transport } = connection
    // Refusals close the socket once it opened, as the hubs do: a browser can read a close code, not an HTTP status.
    const closeOnceOpen = (code: number, reason: string) => setTimeout(() => transport.close(code, reason), 0)
    const refuseOnPurpose = ({ refusal, reason }: NonNullable<Refusing>) => {
      refusedOnPurpose++
      // 'network': closed before it opened, what a browser sees when nothing answers.
      if (refusal === 'network') transport.close(ABNORMAL_CLOSURE, reason)
      else closeOnceOpen(refusal, reason)
    }
    if (refusing?.refusal === 'network') return refuseOnPurpose(refusing)
    const verdict = await hub.judge(client.url)
    if (!verdict.ok) return void closeOnceOpen(verdict.code, verdict.reason)
    if (refusing) return refuseOnPurpose(refusing)
    if (!transport.isOpen()) return
    connection.accept(hub.accept(transport, verdict.clientId, verdict.claims), stalled)
  }

  return {
    handlers: [ws.link(options.url).addEventListener('connection', (connection) => void connect(connection))],
    issueToken: tokenIssuer({ signingKey, tokenTtlSeconds: options.tokenTtlSeconds, tokenFormat }, (token, channel) => {
      seenTokens.set(token, channel)
      hub.countTokenIssued()
    }),
    async publish(channel, payload, publishOptions) {
      hub.publish(channel, payload, publishOptions)
    },
    async dropConnections(channel) {
      return hub.dropConnections(channel)
    },
    async expireTokens(channel) {
      for (const [token, tokenChannel] of seenTokens) {
        if (channel === undefined || tokenChannel === channel) expiredTokens.add(token)
      }
      for (const socket of [...hub.sockets(channel)]) socket.expire()
    },
    refuseConnections(refusal, reason) {
      refusing = { refusal, reason: reason ?? DEFAULT_REASONS[refusal] }
    },
    acceptConnections() {
      refusing = undefined
    },
    stall() {
      stalled = true
      for (const connection of connections) connection.stall()
    },
    endStall() {
      stalled = false
      for (const connection of connections) connection.endStall()
    },
    subscriberCount: (channel) => hub.subscriberCount(channel),
    async stats() {
      return { ...hub.stats(), connectionsRefusedOnPurpose: refusedOnPurpose }
    },
    async close(code = CloseCode.goingAway, reason = 'the mock closed') {
      refusing = { refusal: code, reason }
      hub.closeAll(code, reason)
    },
  }
}
