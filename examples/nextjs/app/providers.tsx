'use client'

import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { createContext, type ReactNode, useContext, useState } from 'react'
import { DurableIteratorProvider } from 'react-durable-iterator'
import { createOrpc, type Orpc } from '../lib/orpc'

const OrpcContext = createContext<Orpc | undefined>(undefined)

export function useOrpc(): Orpc {
  const orpc = useContext(OrpcContext)
  if (!orpc) throw new Error('useOrpc needs <Providers> above it')
  return orpc
}

/** The browser's query cache (one per page load) and the durable-iterator provider over it. */
export function Providers({
  rpcUrl,
  durableUrl,
  children,
}: {
  rpcUrl: string
  durableUrl: string
  children: ReactNode
}) {
  const [queryClient] = useState(() => new QueryClient())
  const [orpc] = useState(() => createOrpc(rpcUrl))
  return (
    <QueryClientProvider client={queryClient}>
      <DurableIteratorProvider url={durableUrl}>
        <OrpcContext.Provider value={orpc}>{children}</OrpcContext.Provider>
      </DurableIteratorProvider>
    </QueryClientProvider>
  )
}
