import { useEffect, useState } from 'react'
import type { StoryServer } from '../mocks/story-server'

interface Counters {
  socketsOpen: number
  socketsAccepted: number
  connectionsRefused: number
  tokensFetched: number
  tokenCallsHeld: number
  tokenUpdates: number
  accepting: boolean
}

const NONE: Counters = {
  socketsOpen: 0,
  socketsAccepted: 0,
  connectionsRefused: 0,
  tokensFetched: 0,
  tokenCallsHeld: 0,
  tokenUpdates: 0,
  accepting: true,
}

/** The server's counters, read a few times per frame's worth of time (the mock's `stats()` is asynchronous). */
function useCounters(server: StoryServer): Counters {
  const [counters, setCounters] = useState(NONE)
  useEffect(() => {
    let live = true
    const read = async () => {
      const stats = await server.mock.stats()
      const rejected = Object.values(stats.upgradesRejected).reduce((sum, count) => sum + (count ?? 0), 0)
      if (!live) return
      setCounters({
        socketsOpen: stats.openSockets,
        socketsAccepted: stats.upgradesAccepted,
        connectionsRefused: stats.connectionsRefusedOnPurpose + rejected,
        tokensFetched: server.tokens.tokensFetched,
        tokenCallsHeld: server.tokens.tokenCallsHeld,
        tokenUpdates: stats.tokenUpdates,
        accepting: server.accepting,
      })
    }
    void read()
    const timer = setInterval(read, 50)
    return () => {
      live = false
      clearInterval(timer)
    }
  }, [server])
  return counters
}

/** What the server has seen, and buttons to make it drop and refuse connections. */
export function MockServerPanel({ server }: { server: StoryServer }) {
  const counters = useCounters(server)
  return (
    <aside aria-label="Mock server" style={{ background: '#f4f4f4', borderRadius: 6, padding: '0 12px 8px' }}>
      <h3>Mock server</h3>
      <p>Sockets open: {counters.socketsOpen}</p>
      <p>Sockets accepted: {counters.socketsAccepted}</p>
      <p>Connections refused: {counters.connectionsRefused}</p>
      <p>Tokens fetched: {counters.tokensFetched}</p>
      <p>Token calls held: {counters.tokenCallsHeld}</p>
      <p>Token updates: {counters.tokenUpdates}</p>
      <button type="button" disabled={!counters.accepting} onClick={() => void server.startOutage()}>
        Drop sockets and refuse
      </button>{' '}
      <button type="button" disabled={counters.accepting} onClick={() => server.endOutage()}>
        Accept connections
      </button>
    </aside>
  )
}
