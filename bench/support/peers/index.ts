import type { PeerName } from '../results'
import { naivePeer } from './naive'
import { oursPeer } from './ours'
import { reactUseWebSocketPeer } from './react-use-websocket'
import type { PeerContext, StreamPeer } from './shared'
import { upstreamStylePeer } from './upstream-style'

export type { App, ConsumerProps, PeerContext, StreamPeer } from './shared'

/** Every peer, in the order the report lists them: each other way at its defaults, then tuned. */
export const PEER_NAMES: readonly PeerName[] = [
  'ours',
  'naive',
  'naive (tuned)',
  'react-use-websocket',
  'react-use-websocket (tuned)',
  'upstream-style',
  'upstream-style (tuned)',
]

/** Every peer but ours. */
export const OTHER_PEER_NAMES: readonly PeerName[] = PEER_NAMES.filter((name) => name !== 'ours')

export function createPeer(name: PeerName, context: PeerContext): StreamPeer {
  const tuned = name.endsWith(' (tuned)')
  switch (name) {
    case 'ours':
      return oursPeer(context)
    case 'naive':
    case 'naive (tuned)':
      return naivePeer(context, { tuned })
    case 'react-use-websocket':
    case 'react-use-websocket (tuned)':
      return reactUseWebSocketPeer(context, { tuned })
    case 'upstream-style':
    case 'upstream-style (tuned)':
      return upstreamStylePeer(context, { tuned })
  }
}
