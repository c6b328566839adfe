import type { DeliveryFilter } from '../protocol/delivery-filter.js'
import type { EventStorage, LogCounters, RetainedEvent } from '../protocol/event-log.js'
import type { FirstSubscribed, FirstSubscribedStorage } from '../protocol/resume.js'
import type { DurableObjectStateLike } from './runtime.js'

type Sql = DurableObjectStateLike['storage']['sql']

interface StoredFilter {
  tags?: string[]
  targetIds?: string[]
  excludedIds?: string[]
}

/**
 * A channel's retained events in the object's SQLite storage, so they outlive evictions and restarts. The payload
 * column holds the event data as frames carry it (`encodeEventData`), so a replay sends it without decoding.
 */
export class SqliteEventStorage implements EventStorage {
  constructor(private readonly sql: Sql) {
    sql.exec(`CREATE TABLE IF NOT EXISTS rdi_events (
      seq INTEGER PRIMARY KEY, payload TEXT NOT NULL, published_at_ms INTEGER NOT NULL, filter TEXT NOT NULL)`)
    sql.exec('CREATE TABLE IF NOT EXISTS rdi_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)')
  }

  readCounters(): LogCounters | undefined {
    const rows = this.sql.exec('SELECT key, value FROM rdi_meta').toArray()
    const value = (key: string) => rows.find((row) => row.key === key)?.value
    const [firstSeq, nextSeq, oldestKnownSeq] = [value('first_seq'), value('next_seq'), value('oldest_known_seq')]
    if (firstSeq === undefined || nextSeq === undefined || oldestKnownSeq === undefined) return undefined
    return { firstSeq: Number(firstSeq), nextSeq: Number(nextSeq), oldestKnownSeq: Number(oldestKnownSeq) }
  }

  writeCounters({ firstSeq, nextSeq, oldestKnownSeq }: LogCounters): void {
    this.sql.exec(
      `INSERT OR REPLACE INTO rdi_meta (key, value) VALUES ('first_seq', ?), ('next_seq', ?), ('oldest_known_seq', ?)`,
      firstSeq,
      nextSeq,
      oldestKnownSeq,
    )
  }

  insert(event: RetainedEvent): void {
    this.sql.exec(
      'INSERT INTO rdi_events (seq, payload, published_at_ms, filter) VALUES (?, ?, ?, ?)',
      event.seq,
      event.data,
      event.publishedAtMs,
      JSON.stringify(toStoredFilter(event.filter)),
    )
  }

  after(seq: number): RetainedEvent[] {
    return this.sql
      .exec('SELECT seq, payload, published_at_ms, filter FROM rdi_events WHERE seq > ? ORDER BY seq', seq)
      .toArray()
      .map((row) => ({
        seq: Number(row.seq),
        data: String(row.payload),
        publishedAtMs: Number(row.published_at_ms),
        filter: fromStoredFilter(JSON.parse(String(row.filter)) as StoredFilter),
      }))
  }

  evict(publishedBeforeMs: number, keepAtMost: number): number | undefined {
    const cutoff = this.sql
      .exec(
        `SELECT MAX(seq) AS seq FROM rdi_events WHERE published_at_ms < ?
           OR seq <= (SELECT MAX(seq) FROM rdi_events) - ?`,
        publishedBeforeMs,
        keepAtMost,
      )
      .toArray()[0]?.seq
    if (cutoff === null || cutoff === undefined) return undefined
    this.sql.exec('DELETE FROM rdi_events WHERE seq <= ?', cutoff)
    return Number(cutoff)
  }
}

/** Each client id's first subscription, in the object's SQLite storage. */
export class SqliteFirstSubscribed implements FirstSubscribedStorage {
  constructor(private readonly sql: Sql) {
    sql.exec(`CREATE TABLE IF NOT EXISTS rdi_first_subscribed (
      client_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, at_ms INTEGER NOT NULL)`)
  }

  get(clientId: string): FirstSubscribed | undefined {
    const row = this.sql.exec('SELECT seq, at_ms FROM rdi_first_subscribed WHERE client_id = ?', clientId).toArray()[0]
    return row ? { seq: Number(row.seq), atMs: Number(row.at_ms) } : undefined
  }

  set(clientId: string, { seq, atMs }: FirstSubscribed): void {
    this.sql.exec(
      'INSERT OR REPLACE INTO rdi_first_subscribed (client_id, seq, at_ms) VALUES (?, ?, ?)',
      clientId,
      seq,
      atMs,
    )
  }

  forgetBefore(atMs: number): void {
    this.sql.exec('DELETE FROM rdi_first_subscribed WHERE at_ms < ?', atMs)
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
