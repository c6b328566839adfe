import { onlineManager, useQueryClient } from '@tanstack/react-query'
import { useSyncExternalStore } from 'react'
import { canStopServer } from './config'
import { useServerStats } from './useServerStats'

async function control(path: string) {
  await fetch(`/demo/api/${path}`, { method: 'POST' })
}

/** Buttons that break things on purpose, to watch the streams recover. */
export function FaultControls() {
  const queryClient = useQueryClient()
  const online = useSyncExternalStore(onlineManager.subscribe.bind(onlineManager), () => onlineManager.isOnline())
  const serverUp = useServerStats()?.serverUp ?? true
  return (
    <section className="faults" aria-label="Fault drills">
      <button type="button" onClick={() => control('drop')}>
        Drop connections (server side)
      </button>
      <button
        type="button"
        onClick={() =>
          queryClient.invalidateQueries({ predicate: (query) => query.meta?.durableIteratorToken !== undefined })
        }
      >
        Expire tokens now
      </button>
      {canStopServer ? (
        <button type="button" disabled={!serverUp} onClick={() => control('stop?seconds=5')}>
          {serverUp ? 'Stop server for 5 s' : 'Server stopped…'}
        </button>
      ) : (
        <button type="button" disabled title="The Durable Object engine cannot be stopped and restarted by the demo">
          Stop server for 5 s (not on this engine)
        </button>
      )}
      <button
        type="button"
        onClick={async () => {
          // Going offline also loses the sockets, as a real network loss would.
          onlineManager.setOnline(!online)
          if (online) await control('drop')
        }}
      >
        {online ? 'Go offline' : 'Go online'}
      </button>
    </section>
  )
}
