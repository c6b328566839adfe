import { QueryClient } from '@tanstack/react-query'
import { useDurableEventIterator } from '../../../src'
import { providers } from '../../../tests/client/harness'
import { type ConsumerProps, type PeerContext, type StreamPeer, useOnOpen } from './shared'

// ours: useDurableEventIterator under one DurableIteratorProvider, as the README shows it.

export function oursPeer({ app, durableUrl, refreshBeforeExpirySeconds, lingerMs }: PeerContext): StreamPeer {
  function Consumer({ room, onEvent, onOpen, onGap }: ConsumerProps) {
    const { events, status } = useDurableEventIterator(app.orpc.chat.onMessage, { room }, { onEvent, onGap })
    useOnOpen(status === 'open', onOpen)
    return <span>{events.length}</span>
  }
  return {
    name: 'ours',
    reportsGaps: true,
    Providers: providers(new QueryClient(), { url: durableUrl, refreshBeforeExpirySeconds, lingerMs }),
    Consumer,
  }
}
