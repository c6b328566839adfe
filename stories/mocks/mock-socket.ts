import { StandardRPCHandler } from '@orpc/server/standard'
import { createServerPeerHandleRequestFn } from '@orpc/server/standard-peer'
import { ServerPeer } from '@orpc/standard-server-peer'
import type { WebSocketData, WebSocketHandlerConnection } from 'msw'
import type { DurableIteratorClaims } from '../../src'
import { readMockToken } from './mock-token'
import { type MockSocketContext, mockSocketRouter } from './socket-router'

type MockClient = WebSocketHandlerConnection['client']

/** What a socket needs from the mock server. */
export interface MockSocketHost {
  subscribe(lastEventId: string | undefined, signal: AbortSignal): AsyncGenerator<object, void>
  sendMessage(text: string): void
  onTokenUpdate(): void
  onClose(socket: MockSocket): void
}

const handler = new StandardRPCHandler<MockSocketContext>(mockSocketRouter)

/**
 * One accepted socket: speaks oRPC's peer protocol with the client (oRPC's own ServerPeer and RPC handler,
 * as the Node hub does) and, like the hub, closes with 4001 when its token expires without an update.
 */
export class MockSocket {
  private open = true
  private expiryTimer: ReturnType<typeof setTimeout> | undefined
  private readonly peer: ServerPeer

  constructor(
    private readonly client: MockClient,
    private claims: DurableIteratorClaims,
    private readonly host: MockSocketHost,
  ) {
    this.peer = new ServerPeer((message) => {
      if (this.open) client.send(message)
    })
    // A plain object: oRPC spreads contexts, which would drop a class's methods.
    const context: MockSocketContext = {
      claims: () => this.claims,
      subscribe: (lastEventId, signal) => host.subscribe(lastEventId, signal),
      updateToken: (token) => this.updateToken(token),
      sendMessage: (text) => host.sendMessage(text),
    }
    const handleRequest = createServerPeerHandleRequestFn(handler, { context })
    client.addEventListener('message', (event) => {
      toEncodedMessage(event.data)
        .then((message) => this.peer.message(message, handleRequest))
        .catch(() => this.close(1007, 'invalid frame: expected an oRPC message'))
    })
    client.addEventListener('close', () => this.onClosed())
    this.armExpiry()
  }

  close(code: number, reason: string): void {
    if (!this.open) return
    this.client.close(code, reason)
    this.onClosed()
  }

  private updateToken(token: string): string | undefined {
    const next = readMockToken(token)
    if (typeof next === 'string') return next
    if (next.chn !== this.claims.chn) return 'the new token is for another channel'
    this.claims = next
    this.armExpiry()
    this.host.onTokenUpdate()
    return undefined
  }

  private armExpiry(): void {
    clearTimeout(this.expiryTimer)
    this.expiryTimer = setTimeout(() => this.close(4001, 'token expired'), this.claims.exp * 1000 - Date.now())
  }

  private onClosed(): void {
    if (!this.open) return
    this.open = false
    clearTimeout(this.expiryTimer)
    this.peer.close()
    this.host.onClose(this)
  }
}

async function toEncodedMessage(data: WebSocketData): Promise<string | Uint8Array> {
  if (typeof data === 'string') return data
  if (data instanceof Blob) return new Uint8Array(await data.arrayBuffer())
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return new Uint8Array(data)
}
