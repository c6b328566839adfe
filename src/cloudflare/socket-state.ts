import type { DurableIteratorClaims } from '../protocol/claims.js'
import type { HibernatableWebSocket } from './runtime.js'

/**
 * What the object knows of one socket, kept in the socket's attachment so it survives hibernation: the object may
 * be evicted between two messages and rebuilt with nothing but its storage and its sockets.
 */
export interface SocketState {
  clientId: string
  claims: DurableIteratorClaims
  /** The oRPC request ids of the live `subscribe` calls, which events are sent under; absent until one is made. */
  subscriptionIds?: readonly string[]
}

export function readSocketState(socket: HibernatableWebSocket): SocketState | undefined {
  const state = socket.deserializeAttachment() as SocketState | null | undefined
  return state && typeof state.clientId === 'string' ? state : undefined
}

export function writeSocketState(socket: HibernatableWebSocket, state: SocketState): void {
  socket.serializeAttachment(state)
}

/** Changes some fields of the socket's current attachment; returns the new state, or undefined if it has none. */
export function updateSocketState(
  socket: HibernatableWebSocket,
  changes: Partial<SocketState>,
): SocketState | undefined {
  const current = readSocketState(socket)
  if (!current) return undefined
  const next = { ...current, ...changes }
  if (!next.subscriptionIds?.length) delete next.subscriptionIds
  writeSocketState(socket, next)
  return next
}
