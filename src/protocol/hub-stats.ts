import type { UpgradeRefusal } from './upgrade-gate.js'

/** Counters an in-memory hub (the Node hub, the testing mock) keeps; `stats()` returns a copy. */
export interface DurableIteratorHubStats {
  tokensIssued: number
  upgradesAccepted: number
  upgradesRejected: Partial<Record<UpgradeRefusal, number>>
  openSockets: number
  eventsPublished: number
  /** Events handed to sockets, live and replayed. */
  eventsDelivered: number
  /** The replayed part of `eventsDelivered`. */
  eventsReplayed: number
  /** Subscriptions that resumed from an id older than the retention window (events were missed). */
  resumeGaps: number
  tokenUpdates: number
  tokenUpdatesRefused: number
  /** Sockets closed because their token expired without an update. */
  expiredCloses: number
  /** Frames that were not oRPC messages. */
  framesRejected: number
}

export function createHubStats(): DurableIteratorHubStats {
  return {
    tokensIssued: 0,
    upgradesAccepted: 0,
    upgradesRejected: {},
    openSockets: 0,
    eventsPublished: 0,
    eventsDelivered: 0,
    eventsReplayed: 0,
    resumeGaps: 0,
    tokenUpdates: 0,
    tokenUpdatesRefused: 0,
    expiredCloses: 0,
    framesRejected: 0,
  }
}

export function copyHubStats(stats: DurableIteratorHubStats): DurableIteratorHubStats {
  return { ...stats, upgradesRejected: { ...stats.upgradesRejected } }
}
