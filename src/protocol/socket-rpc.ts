import { HibernationPlugin } from '@orpc/server/hibernation'
import { StandardRPCHandler } from '@orpc/server/standard'
import { createServerPeerHandleRequestFn } from '@orpc/server/standard-peer'
import { ServerPeer } from '@orpc/standard-server-peer'
import { CloseCode } from './constants.js'
import { type SocketHost, type SocketRouterContext, socketRouter } from './socket-router.js'

/** What the RPC side of a socket needs besides the router's host: to stop a subscription, and to close. */
export interface RpcSocketHost extends SocketHost {
  isOpen(): boolean
  close(code: number, reason: string): void
  /** The client ended the `subscribe` with this request id: send nothing more under it. */
  stopSubscription(subscriptionId: string): void
  /** Hears about every frame refused as not an oRPC message, for counters. */
  onFrameRejected?(): void
}

const handler = new StandardRPCHandler<SocketRouterContext>(socketRouter, { plugins: [new HibernationPlugin()] })
const ABORT_MESSAGE_TYPE = 4
const utf8 = new TextEncoder()

/**
 * The oRPC end of one socket, for every host: decodes request frames with oRPC's server peer, runs the socket router,
 * sends its responses. A frame that is not an oRPC message closes only this socket (1007), and one over the size limit
 * closes it with 1009.
 */
export class SocketRpc {
  readonly #peer: ServerPeer
  readonly #maxFrameBytes: number

  /** `maxFrameBytes`: leave it out where the transport enforces a limit itself (Node's `ws` does). */
  constructor(send: (frame: string | Uint8Array) => void, { maxFrameBytes = Number.POSITIVE_INFINITY } = {}) {
    // Responses are text, or bytes when a body carries a file.
    this.#peer = new ServerPeer((frame) =>
      send(typeof frame === 'string' || frame instanceof Uint8Array ? frame : new Uint8Array(frame)),
    )
    this.#maxFrameBytes = maxFrameBytes
  }

  /** Handles one frame from the client. Never rejects: what goes wrong closes the socket, as the protocol says. */
  async receive(frame: string | Uint8Array, socket: RpcSocketHost): Promise<void> {
    if (frameBytes(frame, this.#maxFrameBytes) > this.#maxFrameBytes) {
      socket.close(CloseCode.messageTooBig, 'frame too big')
      return
    }
    if (typeof frame === 'string') stopAbortedSubscription(frame, socket)
    try {
      await this.#peer.message(frame, createServerPeerHandleRequestFn(handler, { context: { socket } }))
    } catch {
      // Failures after the socket closed (a send to a cut socket) are not the frame's fault; on an open socket, a
      // failure here means the frame did not decode.
      if (!socket.isOpen()) return
      socket.onFrameRejected?.()
      socket.close(CloseCode.invalidFrame, 'invalid frame: expected an oRPC message')
    }
  }

  /** Ends every call still running on this socket (it closed). */
  close(): void {
    this.#peer.close()
  }
}

/** A frame's size in bytes, counted only when a limit could be exceeded. */
function frameBytes(frame: string | Uint8Array, limit: number): number {
  if (typeof frame !== 'string') return frame.byteLength
  // A UTF-8 character takes at most 3 bytes per UTF-16 unit: short frames need no encoding to be judged.
  return frame.length * 3 <= limit ? frame.length : utf8.encode(frame).byteLength
}

/** The subscription of a hibernation iterator is the host's: hear the client's abort of it (`"t":4`). */
function stopAbortedSubscription(frame: string, socket: RpcSocketHost): void {
  if (!frame.includes(`"t":${ABORT_MESSAGE_TYPE}`)) return
  try {
    const parsed = JSON.parse(frame) as { i?: unknown; t?: unknown }
    if (parsed.t === ABORT_MESSAGE_TYPE && typeof parsed.i === 'string') socket.stopSubscription(parsed.i)
  } catch {
    // Not JSON: the peer refuses it.
  }
}
