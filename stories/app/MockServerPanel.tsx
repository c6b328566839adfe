import { useSyncExternalStore } from 'react'
import type { MockDurableServer } from '../mocks/mock-durable-server'

/** What the mock server has seen, and buttons to make it drop and refuse connections. */
export function MockServerPanel({ server }: { server: MockDurableServer }) {
  const stats = useSyncExternalStore(server.subscribe, server.getStats)
  return (
    <aside aria-label="Mock server" style={{ background: '#f4f4f4', borderRadius: 6, padding: '0 12px 8px' }}>
      <h3>Mock server</h3>
      <p>Sockets open: {stats.socketsOpen}</p>
      <p>Sockets accepted: {stats.socketsAccepted}</p>
      <p>Connections refused: {stats.connectionsRefused}</p>
      <p>Tokens fetched: {stats.tokensFetched}</p>
      <p>Token calls held: {stats.tokenCallsHeld}</p>
      <p>Token updates: {stats.tokenUpdates}</p>
      <button type="button" disabled={!stats.accepting} onClick={() => server.startOutage()}>
        Drop sockets and refuse
      </button>{' '}
      <button type="button" disabled={stats.accepting} onClick={() => server.endOutage()}>
        Accept connections
      </button>
    </aside>
  )
}
