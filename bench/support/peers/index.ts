import type { PeerName } from '../results'
import { naivePeer } from './naive'
import { oursPeer } from './ours'
import { reactUseWebSocketPeer } from './react-use-websocket'
import type { PeerContext, StreamPeer } from './shared'
import { upstreamStylePeer } from './upstream-style'

export type { App, ConsumerProps, PeerContext, StreamPeer } from './shared'

export const PEER_NAMES: readonly PeerName[] = ['ours', 'naive', 'react-use-websocket', 'upstream-style']

export function createPeer(name: PeerName, context: PeerContext): StreamPeer {
  switch (name) {
    case 'ours':
      return oursPeer(context)
    case 'naive':
      return naivePeer(context)
    case 'react-use-websocket':
      return reactUseWebSocketPeer(context)
    case 'upstream-style':
      return upstreamStylePeer(context)
  }
}
