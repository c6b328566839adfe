import { StandardRPCHandler } from '@orpc/server/standard'
import { createServerPeerHandleRequestFn } from '@orpc/server/standard-peer'
import { ServerPeer } from '@orpc/standard-server-peer'
import type { RawData, WebSocket } from 'ws'
import { type HubRouterContext, hubRouter } from './hub-router.js'

/** Close code for a frame that is not an oRPC message (RFC 6455: inconsistent data). */
const INVALID_FRAME_CODE = 1007

/**
 * Serves the durable-iterator procedures over one socket. Unlike oRPC's stock `ws` adapter, a frame
 * that does not decode closes only this socket and is counted, instead of being logged.
 */
export function serveSocketRpc(socket: WebSocket, context: HubRouterContext, onRejectedFrame: () => void): void {
  const handler = new StandardRPCHandler<HubRouterContext>(hubRouter)
  const handleRequest = createServerPeerHandleRequestFn(handler, { context })
  const peer = new ServerPeer((message) => {
    if (socket.readyState === socket.OPEN) socket.send(message)
  })

  socket.on('message', (data: RawData, isBinary: boolean) => {
    const message = isBinary ? toBytes(data) : data.toString()
    peer.message(message, handleRequest).catch(() => {
      // Failures after the socket closed (a send to a cut socket, a subscriber closed for lagging) are not
      // the frame's fault; on an open socket, a failure here means the frame did not decode.
      if (socket.readyState !== socket.OPEN) return
      onRejectedFrame()
      socket.close(INVALID_FRAME_CODE, 'invalid frame: expected an oRPC message')
    })
  })
  socket.on('close', () => peer.close())
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data)
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data
}
