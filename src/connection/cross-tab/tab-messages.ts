import { getEventMeta, ORPCError, withEventMeta } from '@orpc/client'
import { DurableIteratorError, type DurableIteratorErrorCode } from '../../errors.js'
import type { DurableConnectionStatus } from '../connection-status.js'

/** An event as it crosses tabs: structured clone keeps neither oRPC's event meta nor the proxy that carries it. */
export interface WireEvent {
  id?: string
  data: unknown
}

/** An error as it crosses tabs. */
export interface WireError {
  kind: 'durable' | 'orpc' | 'other'
  code?: string
  message: string
  status?: number
  data?: unknown
}

/** The leader's view of the stream, sent on every change and at least once a second (the leader's heartbeat). */
export interface WireState {
  status: DurableConnectionStatus
  error?: WireError
  attempt: number
  tokenExpiresAt?: number
  gaps: number
  clientId: string
}

/**
 * What the leading tab sends. `term` grows with every change of leader, so a leader that was replaced while it could
 * not run (and has not found out yet) is told apart from the current one.
 */
export type LeaderMessage = { term: number } & (
  | { type: 'welcome'; to: string; events: WireEvent[]; lastEventId?: string; state: WireState }
  | { type: 'state'; state: WireState }
  | { type: 'event'; event: WireEvent }
  | { type: 'gap'; gaps: number }
  | { type: 'result'; to: string; id: string; ok: true; value: unknown }
  | { type: 'result'; to: string; id: string; ok: false; error: WireError }
  | { type: 'leaving' }
)

/** What a following tab sends. */
export type FollowerMessage =
  | { type: 'join' }
  | { type: 'call'; id: string; path: string[]; input: unknown }
  | { type: 'command'; command: 'reconnect' | 'close' | 'revive' | 'invalidate' }

/** Messages between the tabs of one stream, over its BroadcastChannel. `from` is the sending tab. */
export type TabMessage = { from: string } & (LeaderMessage | FollowerMessage)

export function toWireEvent(event: unknown): WireEvent {
  const id = getEventMeta(event)?.id
  // The event is a proxy that carries oRPC's meta: copy what it holds into a plain value.
  const data = Array.isArray(event) ? [...event] : typeof event === 'object' && event !== null ? { ...event } : event
  return id === undefined ? { data } : { id, data }
}

export function fromWireEvent<TEvent>(event: WireEvent): TEvent {
  const { data } = event
  return (
    event.id !== undefined && typeof data === 'object' && data !== null ? withEventMeta(data, { id: event.id }) : data
  ) as TEvent
}

export function toWireError(error: unknown): WireError {
  if (error instanceof DurableIteratorError) return { kind: 'durable', code: error.code, message: error.message }
  if (error instanceof ORPCError) {
    return { kind: 'orpc', code: error.code, message: error.message, status: error.status, data: error.data }
  }
  return { kind: 'other', message: error instanceof Error ? error.message : String(error) }
}

export function fromWireError(error: WireError): Error {
  if (error.kind === 'durable') return new DurableIteratorError(error.code as DurableIteratorErrorCode, error.message)
  if (error.kind === 'orpc') {
    return new ORPCError(error.code ?? 'INTERNAL_SERVER_ERROR', {
      message: error.message,
      status: error.status,
      data: error.data,
    })
  }
  return new Error(error.message)
}
