import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import type { RouterClient } from '@orpc/server'
import { createTanstackQueryUtils } from '@orpc/tanstack-query'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { DurableIteratorProvider, useDurableEventIterator } from 'react-durable-iterator'
import type { router } from './server'

const client: RouterClient<typeof router> = createORPCClient(new RPCLink({ url: `${location.origin}/rpc` }))
const orpc = createTanstackQueryUtils(client)
const queryClient = new QueryClient()

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      {/* Relative to the page: ws(s)://<this host>/durable */}
      <DurableIteratorProvider url="/durable">
        <Chat room="lobby" />
      </DurableIteratorProvider>
    </QueryClientProvider>
  )
}

function Chat({ room }: { room: string }) {
  // events: readonly ChatMessage[]; rpc offers sendMessage, the one method the token's rpc claim names
  const { status, events, error, rpc, reconnect } = useDurableEventIterator(orpc.chat.onMessage, { room })
  if (status === 'error')
    return (
      <button type="button" onClick={reconnect}>
        {error?.message} Retry
      </button>
    )
  return (
    <>
      <p>{status}</p>
      <ul>
        {events.map((message) => (
          <li key={message.sentAtMs}>
            {message.from}: {message.text}
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => rpc.sendMessage({ text: 'hi' })}>
        Send
      </button>
    </>
  )
}
