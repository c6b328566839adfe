import type { DurableConnectionStatus, DurableIteratorError } from 'react-durable-iterator'
import { useServerStats } from './useServerStats'
import type { StreamHealth } from './useStreamHealth'

interface ConnectionPanelProps {
  name: string
  status: DurableConnectionStatus
  attempt: number
  error: DurableIteratorError | undefined
  tokenExpiresAt: number | undefined
  tokensFetched: number
  health: StreamHealth
  now: number
}

/** What a stream's connection is doing, in numbers a person can watch. */
export function ConnectionPanel(props: ConnectionPanelProps) {
  const serverStats = useServerStats()
  const expiresInSeconds =
    props.tokenExpiresAt === undefined ? undefined : Math.max(0, Math.round((props.tokenExpiresAt - props.now) / 1000))
  const rows: Array<[string, string | number]> = [
    ['attempt', props.attempt],
    ['token expires in', expiresInSeconds === undefined ? '–' : `${expiresInSeconds} s`],
    ['tokens fetched', props.tokensFetched],
    ['sockets open (server)', serverStats?.openSockets ?? '–'],
    ['events received', props.health.received],
    ['gaps detected', props.health.gaps],
    ['reconnects', props.health.reconnects],
  ]
  return (
    <section className="panel" data-testid={`panel-${props.name}`}>
      <p className={`status status-${props.status}`} data-testid={`status-${props.name}`}>
        {props.status}
      </p>
      <dl>
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd data-testid={`${props.name}-${label.replace(/[^a-z]+/g, '-').replace(/-$/, '')}`}>{value}</dd>
          </div>
        ))}
      </dl>
      {props.error && <p className="error">{props.error.message}</p>}
    </section>
  )
}
