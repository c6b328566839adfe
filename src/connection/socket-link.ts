import { RPCLink } from '@orpc/client/websocket'
import type ReconnectingWebSocket from 'partysocket/ws'
import { isHeartbeatAnswer } from '../protocol/heartbeat.js'
import { noInputSerializer } from './explicit-undefined.js'

type LinkWebSocket = ConstructorParameters<typeof RPCLink>[0]['websocket']
type Listener = Parameters<LinkWebSocket['addEventListener']>[1]

/**
 * oRPC's websocket link over a connection's partysocket. The link sees the socket through a view that holds back
 * answers to the heartbeat probe (sent outside the link, under a request id the link never issued), and writes
 * "no input" so oRPC's server accepts it.
 */
export function createSocketLink(socket: ReconnectingWebSocket): RPCLink<Record<never, never>> {
  return new RPCLink({ websocket: withoutHeartbeatAnswers(socket), customJsonSerializers: [noInputSerializer] })
}

/** The socket as the link sees it: the same, less the answers to heartbeat probes. */
export function withoutHeartbeatAnswers(socket: ReconnectingWebSocket): LinkWebSocket {
  const wrapped = new WeakMap<Listener, Listener>()
  const wrap = (type: string, listener: Listener): Listener => {
    if (type !== 'message') return listener
    let filtered = wrapped.get(listener)
    if (!filtered) {
      filtered = (event: Event) => {
        if (!isHeartbeatAnswer((event as MessageEvent).data)) (listener as (event: Event) => void)(event)
      }
      wrapped.set(listener, filtered)
    }
    return filtered
  }
  return {
    // partysocket types readyState as number; oRPC's link wants the WebSocket constants (the same values).
    get readyState() {
      return socket.readyState as LinkWebSocket['readyState']
    },
    send: (data) => socket.send(data),
    addEventListener: (type: string, listener: Listener, options?: boolean | AddEventListenerOptions) =>
      socket.addEventListener(type as 'message', wrap(type, listener) as never, options),
    removeEventListener: (type: string, listener: Listener, options?: boolean | EventListenerOptions) =>
      socket.removeEventListener(type as 'message', (wrapped.get(listener) ?? listener) as never, options),
  } as LinkWebSocket
}
