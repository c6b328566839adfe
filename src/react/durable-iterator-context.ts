import { createContext, useContext } from 'react'
import type { ConnectionRegistry } from '../connection/connection-registry.js'
import type { DurableConnectionSettings } from '../connection/connection-settings.js'

export interface DurableIteratorContextValue {
  registry: ConnectionRegistry
  /** The provider's props: read when a connection is created, and pushed to live ones when they change. */
  settings: DurableConnectionSettings
}

export const DurableIteratorContext = createContext<DurableIteratorContextValue | undefined>(undefined)

export function useDurableIteratorContext(): DurableIteratorContextValue {
  const context = useContext(DurableIteratorContext)
  if (!context) {
    throw new Error(
      'useDurableEventIterator needs a <DurableIteratorProvider url={…}> above it (inside your QueryClientProvider).',
    )
  }
  return context
}
