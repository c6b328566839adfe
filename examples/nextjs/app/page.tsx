import { dehydrate, HydrationBoundary, QueryClient } from '@tanstack/react-query'
import { connection } from 'next/server'
import { durableIteratorTokenOptions } from 'react-durable-iterator/core'
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
  // useDurableEventIterator reads, so the browser's first socket uses it. ('react-durable-iterator/core' is the
  // entry without 'use client' that a server component can call.)
  const queryClient = new QueryClient()
  await queryClient.prefetchQuery(durableIteratorTokenOptions(createOrpc(rpcUrl).chat.onMessage, { room: ROOM }))

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
