import type { DurableIteratorClaims } from '../protocol/claims.js'
import type { HibernatableWebSocket } from './runtime.js'

/**
 * What the object knows of one socket, kept in the socket's attachment so it survives hibernation: the object may
 * be evicted between two messages and rebuilt with nothing but its storage and its sockets.
 */
export interface SocketState {
  clientId: string
  claims: DurableIteratorClaims
  /** The oRPC request id of the live `subscribe`, which events are sent under; absent until the client subscribes. */
  subscriptionId?: string
}

export function readSocketState(socket: HibernatableWebSocket): SocketState | undefined {
  const state = socket.deserializeAttachment() as SocketState | null | undefined
  return state && typeof state.clientId === 'string' ? state : undefined
}

export function writeSocketState(socket: HibernatableWebSocket, state: SocketState): void {
  socket.serializeAttachment(state)
}
