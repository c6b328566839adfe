import { StandardRPCJsonSerializer } from '@orpc/client/standard'
import type { DeliveryFilter } from '../protocol/delivery-filter.js'
import type { DurableObjectStateLike } from './runtime.js'

type Sql = DurableObjectStateLike['storage']['sql']

export interface StoredEvent {
  seq: number
  payload: object
  filter: DeliveryFilter
}

export interface EventStoreOptions {
  /** Events older than this are no longer replayed. 0 disables replay. */
  retentionMs: number
  /** At most this many events are kept for replay. */
  maxEvents: number
}

interface StoredFilter {
  tags?: string[]
  targetIds?: string[]
  excludedIds?: string[]
}

const serializer = new StandardRPCJsonSerializer()

/**
 * A channel's resumable event log in the object's SQLite storage, so it outlives evictions and restarts: the same
 * rules as the Node hub's in-memory log (consecutive ids seeded from the clock, a time and count window, and a gap
 * reported when a resume point is older than the window), plus where each client id first subscribed.
 */
export class EventStore {
  constructor(
    private readonly sql: Sql,
    private readonly options: EventStoreOptions,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS rdi_events (
      seq INTEGER PRIMARY KEY, payload TEXT NOT NULL, published_at_ms INTEGER NOT NULL, filter TEXT NOT NULL)`)
    sql.exec('CREATE TABLE IF NOT EXISTS rdi_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)')
    sql.exec(`CREATE TABLE IF NOT EXISTS rdi_first_subscribed (
      client_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, at_ms INTEGER NOT NULL)`)
    if (this.meta('next_seq') === undefined) {
      // Microseconds of the wall clock: ids of a recreated object sort after any a previous one issued.
      const firstSeq = Date.now() * 1000
      this.setMeta('first_seq', firstSeq)
      this.setMeta('next_seq', firstSeq)
      this.setMeta('oldest_known_seq', firstSeq)
    }
  }

  append(payload: object, filter: DeliveryFilter, nowMs: number): number {
    const seq = this.requireMeta('next_seq')
    this.setMeta('next_seq', seq + 1)
    if (this.options.retentionMs > 0 && this.options.maxEvents > 0) {
      const [json, meta] = serializer.serialize(payload)
      this.sql.exec(
        'INSERT INTO rdi_events (seq, payload, published_at_ms, filter) VALUES (?, ?, ?, ?)',
        seq,
        JSON.stringify({ json, meta }),
        nowMs,
        JSON.stringify(toStoredFilter(filter)),
      )
      this.evict(nowMs)
    } else {
      this.setMeta('oldest_known_seq', seq + 1)
    }
    return seq
  }

  /** Events after `lastSeq`, in order, within the window; `complete` is false if some were already dropped. */
  since(lastSeq: number, nowMs: number): { events: StoredEvent[]; complete: boolean } {
    this.evict(nowMs)
    const rows = this.sql
      .exec('SELECT seq, payload, filter FROM rdi_events WHERE seq > ? ORDER BY seq', lastSeq)
      .toArray()
    const events = rows.map((row) => {
      const stored = JSON.parse(String(row.payload)) as { json: unknown; meta: never }
      return {
        seq: Number(row.seq),
        payload: serializer.deserialize(stored.json, stored.meta) as object,
        filter: fromStoredFilter(JSON.parse(String(row.filter)) as StoredFilter),
      }
    })
    return { events, complete: lastSeq + 1 >= this.requireMeta('oldest_known_seq') }
  }

  /** The resume point of a client id that subscribed before, or undefined (and now recorded) for a new one. */
  firstSubscribedSeq(clientId: string, nowMs: number): number | undefined {
    const known = this.sql
      .exec('SELECT seq, at_ms FROM rdi_first_subscribed WHERE client_id = ?', clientId)
      .toArray()[0]
    if (known && nowMs - Number(known.at_ms) <= this.options.retentionMs) return Number(known.seq)
    this.sql.exec('DELETE FROM rdi_first_subscribed WHERE at_ms < ?', nowMs - this.options.retentionMs)
    this.sql.exec(
      'INSERT OR REPLACE INTO rdi_first_subscribed (client_id, seq, at_ms) VALUES (?, ?, ?)',
      clientId,
      this.requireMeta('next_seq') - 1,
      nowMs,
    )
    return undefined
  }

  private evict(nowMs: number): void {
    const cutoff = this.sql
      .exec(
        `SELECT MAX(seq) AS seq FROM rdi_events WHERE published_at_ms < ?
           OR seq <= (SELECT MAX(seq) FROM rdi_events) - ?`,
        nowMs - this.options.retentionMs,
        this.options.maxEvents,
      )
      .toArray()[0]?.seq
    if (cutoff === null || cutoff === undefined) return
    this.sql.exec('DELETE FROM rdi_events WHERE seq <= ?', cutoff)
    this.setMeta('oldest_known_seq', Math.max(this.requireMeta('oldest_known_seq'), Number(cutoff) + 1))
  }

  private meta(key: string): number | undefined {
    const row = this.sql.exec('SELECT value FROM rdi_meta WHERE key = ?', key).toArray()[0]
    return row === undefined ? undefined : Number(row.value)
  }

  private requireMeta(key: string): number {
    const value = this.meta(key)
    if (value === undefined) throw new Error(`react-durable-iterator: the event store lost its ${key}`)
    return value
  }

  private setMeta(key: string, value: number): void {
    this.sql.exec('INSERT OR REPLACE INTO rdi_meta (key, value) VALUES (?, ?)', key, value)
  }
}

function toStoredFilter(filter: DeliveryFilter): StoredFilter {
  const stored: StoredFilter = {}
  if (filter.tags) stored.tags = [...filter.tags]
  if (filter.targetIds) stored.targetIds = [...filter.targetIds]
  if (filter.excludedIds) stored.excludedIds = [...filter.excludedIds]
  return stored
}

function fromStoredFilter(stored: StoredFilter): DeliveryFilter {
  const filter: DeliveryFilter = {}
  if (stored.tags) filter.tags = new Set(stored.tags)
  if (stored.targetIds) filter.targetIds = new Set(stored.targetIds)
  if (stored.excludedIds) filter.excludedIds = new Set(stored.excludedIds)
  return filter
}
