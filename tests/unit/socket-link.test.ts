import type { AddressInfo } from 'node:net'
import { WebSocket as ReconnectingWebSocket } from 'partysocket'
import { afterEach, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { withoutHeartbeatAnswers } from '../../src/connection/socket-link'
import { HEARTBEAT_ANSWER_FRAME } from '../../src/protocol/heartbeat'
import { waitFor } from '../server/harness'

const closers: Array<() => void> = []
afterEach(() => {
  for (const close of closers.splice(0)) close()
})

it('the RPC link never sees answers to heartbeat probes (from any server), and sees every other frame', async () => {
  const nodeHubAnswer = '{"i":"rdi-heartbeat","p":{"b":{}}}'
  // oRPC's own server has no `ping`: this is its answer, as seen from its 1.13.14 Durable Object.
  const orpcServerAnswer = '{"i":"rdi-heartbeat","p":{"s":404,"b":"No procedure matched"}}'
  const event = '{"i":"1","t":3,"p":{"e":"message","d":{"json":{"n":1}}}}'
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  closers.push(() => server.close())
  server.on('connection', (socket) => {
    for (const frame of [HEARTBEAT_ANSWER_FRAME, nodeHubAnswer, event, orpcServerAnswer, event]) socket.send(frame)
  })
  await new Promise((resolve) => server.once('listening', resolve))
  const socket = new ReconnectingWebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, [], {
    WebSocket,
  })
  closers.push(() => socket.close())

  const seenBySocket: string[] = []
  const seenByLink: string[] = []
  socket.addEventListener('message', (message) => seenBySocket.push(message.data))
  const view = withoutHeartbeatAnswers(socket)
  const linkListener = (message: MessageEvent) => seenByLink.push(message.data)
  view.addEventListener('message', linkListener)

  await waitFor(() => seenBySocket.length === 5, 'five frames')
  expect(seenByLink).toEqual([event, event])
  expect(view.readyState).toBe(WebSocket.OPEN)

  // Removing the listener through the view removes the filtered one it added.
  view.removeEventListener('message', linkListener)
  socket.reconnect()
  await waitFor(() => seenBySocket.length === 10, 'five more frames')
  expect(seenByLink).toHaveLength(2)
})
