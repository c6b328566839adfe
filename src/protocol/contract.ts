import { oc, type } from '@orpc/contract'
import { ORPCError } from '@orpc/server'

/** Input of `updateToken`: the refreshed token for the same channel and tags. */
export interface UpdateTokenInput {
  token: string
}

/**
 * Input of `subscribe`. oRPC's own client sends none; this package's client asks to be told about gaps.
 */
export interface SubscribeInput {
  /** Send a gap marker when the resume point is older than what the server still retains. */
  reportGaps?: boolean
}

/** Input of `call`: the remote method's path (first segment is the allow-listed name) and its input. */
export interface RemoteCallInput {
  path: [string, ...string[]]
  input?: unknown
}

function badRequest(message: string): never {
  throw new ORPCError('BAD_REQUEST', { message })
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/**
 * The procedures served over each durable-iterator socket: oRPC's durable iterator (`subscribe`,
 * `updateToken`, `call`) plus `ping`, the procedure the heartbeat probe names (src/protocol/heartbeat.ts; oRPC's own
 * server answers it with NOT_FOUND, and any answer proves the socket alive). Written once: the hub implements it and
 * the client's link is typed from it.
 */
export const durableIteratorContract = {
  subscribe: oc
    .input(
      type<SubscribeInput | undefined>((value: unknown) =>
        isRecord(value) && value.reportGaps === true ? { reportGaps: true } : undefined,
      ),
    )
    .output(type<AsyncIterator<unknown, void, unknown>>()),
  updateToken: oc.input(
    // Typed for callers, checked as unknown: the wire can carry anything.
    type<UpdateTokenInput>((value: unknown) => {
      if (!isRecord(value) || typeof value.token !== 'string') badRequest('updateToken expects { token: string }')
      return { token: value.token }
    }),
  ),
  call: oc.input(
    type<RemoteCallInput>((value: unknown) => {
      const path = isRecord(value) ? value.path : undefined
      if (!Array.isArray(path) || path.length === 0 || !path.every((segment) => typeof segment === 'string')) {
        badRequest('call expects { path: [method, ...segments], input }')
      }
      return { path: path as [string, ...string[]], input: (value as Record<string, unknown>).input }
    }),
  ),
  ping: oc,
}

export type DurableIteratorContract = typeof durableIteratorContract
