import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { useState } from 'react'
import { DurableIteratorProvider, type DurableIteratorProviderProps } from '../../src'
import { MOCK_DURABLE_URL } from '../mocks/chat-api'
import type { StoryServer } from '../mocks/story-server'
import { MockServerPanel } from './MockServerPanel'
import { StreamView } from './StreamView'

export interface ChatScenarioProps
  extends Pick<DurableIteratorProviderProps, 'reconnect' | 'refreshBeforeExpirySeconds'> {
  server: StoryServer
  /** How many components use the stream. @default 1 */
  consumers?: number
  enabled?: boolean
}

/** A fresh app per story: its own query cache and provider, pointed at the story's server. */
export function ChatScenario({ server, consumers = 1, enabled, ...providerProps }: ChatScenarioProps) {
  const [queryClient] = useState(() => new QueryClient())
  const labels = Array.from({ length: consumers }, (_, index) => (consumers === 1 ? 'Lobby' : `Lobby ${index + 1}`))
  return (
    <QueryClientProvider client={queryClient}>
      <DurableIteratorProvider url={MOCK_DURABLE_URL} {...providerProps}>
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12, fontFamily: 'sans-serif', fontSize: 14 }}>
          {labels.map((label) => (
            <StreamView key={label} label={label} enabled={enabled} />
          ))}
          <MockServerPanel server={server} />
        </div>
      </DurableIteratorProvider>
    </QueryClientProvider>
  )
}
