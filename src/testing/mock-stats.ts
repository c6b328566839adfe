import type { DurableIteratorHubStats } from '../protocol/hub-stats.js'

/** The Node hub's counters, and the refusals a test asked for with `refuseConnections`. */
export interface DurableIteratorMockStats extends DurableIteratorHubStats {
  /** Connections refused because the test said so (`refuseConnections`, after `close`). */
  connectionsRefusedOnPurpose: number
}
