// The page of bench scenario 9: one component on a chat stream, under a Profiler, in a real browser with real
// frames. It records what the scenario reads from `window.__burst`: commits, render time, frames, and when the
// last event of a burst arrived (onEvent) and when it was on screen (the commit that rendered it).
import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { Profiler, useLayoutEffect } from 'react'
import { createRoot } from 'react-dom/client'
import { DurableIteratorProvider, useDurableEventIterator } from 'react-durable-iterator'

interface Burst {
  commits: number
  renderMs: number
  frames: number
  received: number
  lastArrivedAtMs?: number
  lastOnScreenAtMs?: number
  last: string
}

const params = new URLSearchParams(location.search)
const burst: Burst = { commits: 0, renderMs: 0, frames: 0, received: 0, last: '' }
/** Starts counting a burst whose last event has the text `last`. */
function startBurst(last: string) {
  Object.assign(burst, { commits: 0, renderMs: 0, frames: 0, received: 0, last })
  burst.lastArrivedAtMs = undefined
  burst.lastOnScreenAtMs = undefined
}
Object.assign(window, { __burst: burst, __startBurst: startBurst })
const countFrame = () => {
  burst.frames++
  requestAnimationFrame(countFrame)
}
requestAnimationFrame(countFrame)

const client = createORPCClient(new RPCLink({ url: params.get('rpc') ?? '' })) as {
  chat: { onMessage(input: { room: string }): Promise<string> }
}

function Messages() {
  const { status, events } = useDurableEventIterator(
    client.chat.onMessage,
    { room: 'burst' },
    {
      queryKey: ['chat', 'burst'],
      onEvent: (event) => {
        burst.received++
        if ((event as { text: string }).text === burst.last) burst.lastArrivedAtMs = performance.now()
      },
    },
  )
  const newest = (events.at(-1) as { text: string } | undefined)?.text
  useLayoutEffect(() => {
    if (newest === burst.last && burst.lastOnScreenAtMs === undefined) burst.lastOnScreenAtMs = performance.now()
  }, [newest])
  return (
    <section>
      <p id="status">{status}</p>
      <ol>
        {events.map((event) => (
          <li key={(event as { text: string }).text}>{(event as { text: string }).text}</li>
        ))}
      </ol>
    </section>
  )
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <QueryClientProvider client={new QueryClient()}>
    <DurableIteratorProvider url={params.get('durable') ?? ''}>
      <Profiler
        id="messages"
        onRender={(_id, _phase, actualDurationMs) => {
          burst.commits++
          burst.renderMs += actualDurationMs
        }}
      >
        <Messages />
      </Profiler>
    </DurableIteratorProvider>
  </QueryClientProvider>,
)
