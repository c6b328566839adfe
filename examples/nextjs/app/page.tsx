import { dehydrate, HydrationBoundary, QueryClient } from '@tanstack/react-query'
import { connection } from 'next/server'
import { createOrpc } from '../lib/orpc'
import { Chat } from './chat'
import { Providers } from './providers'

const ROOM = 'lobby'

function requiredEnv(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`Set ${name} (see examples/nextjs in the README)`)
  return value
}

export default async function Page() {
  // Rendered per request: the URLs are read at run time, and a token must never be baked into the build.
  await connection()
  const rpcUrl = requiredEnv('DURABLE_RPC_URL')
  const durableUrl = requiredEnv('DURABLE_WS_URL')

  // One cache per request: tokens are per user, never shared between requests. The token goes in under the key
  // useDurableEventIterator reads (the procedure's query key for this input), so the browser's first socket uses
  // it. (durableIteratorTokenOptions gives the same key, but 'react-durable-iterator' is a 'use client' module: a
  // server component gets only a client reference to it and cannot call it.)
  const queryClient = new QueryClient()
  await queryClient.prefetchQuery(createOrpc(rpcUrl).chat.onMessage.queryOptions({ input: { room: ROOM } }))

  return (
    <main>
      <h1>react-durable-iterator on Next.js</h1>
      <Providers rpcUrl={rpcUrl} durableUrl={durableUrl}>
        <HydrationBoundary state={dehydrate(queryClient)}>
          <Chat room={ROOM} />
        </HydrationBoundary>
      </Providers>
    </main>
  )
}
