import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { ReactQueryDevtools } from '@tanstack/react-query-devtools'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { DurableIteratorProvider } from 'react-durable-iterator'
import { acrossTabs } from 'react-durable-iterator/tabs'
import { App } from './App'
import { demoConfig } from './config'
import './styles.css'

const queryClient = new QueryClient()

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <DurableIteratorProvider
        url={demoConfig.durableUrl}
        shareAcrossTabs={demoConfig.shareAcrossTabs ? acrossTabs : undefined}
      >
        <App />
      </DurableIteratorProvider>
      <ReactQueryDevtools initialIsOpen={false} buttonPosition="bottom-left" />
    </QueryClientProvider>
  </StrictMode>,
)
