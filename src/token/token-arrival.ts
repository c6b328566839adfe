/** How many tokens' arrival times are remembered; older ones are forgotten first. */
const REMEMBERED_TOKENS = 64

const arrivals = new Map<string, number>()

/**
 * When a token reached this JavaScript realm, on the local clock. Clock-skew correction compares a token's `iat`
 * (the issuing server's clock) with its local arrival, so the arrival must be local: TanStack Query's
 * `dataUpdatedAt` is not, for a token prefetched on a server and hydrated here. A token fetched here is recorded
 * when its fetch resolves; one that arrived otherwise (hydration, `setQueryData`) counts from when it is first read.
 */
export function tokenArrivalMs(token: string, nowMs: number = Date.now()): number {
  const known = arrivals.get(token)
  if (known !== undefined) return known
  recordTokenArrival(token, nowMs)
  return nowMs
}

export function recordTokenArrival(token: string, atMs: number): void {
  arrivals.delete(token)
  arrivals.set(token, atMs)
  if (arrivals.size > REMEMBERED_TOKENS) {
    const oldest = arrivals.keys().next().value
    if (oldest !== undefined) arrivals.delete(oldest)
  }
}
