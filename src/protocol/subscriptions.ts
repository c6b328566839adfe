/**
 * A socket's live subscriptions are the request ids of its `subscribe` calls. oRPC's clients make one per socket; a
 * few more are allowed, but not without bound: beyond this many, the oldest stops receiving events.
 */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 8

/** The ids with one more subscription (the oldest dropped beyond the limit). */
export function withSubscription(ids: readonly string[], subscriptionId: string): readonly string[] {
  const next = [...ids.filter((id) => id !== subscriptionId), subscriptionId]
  return next.length > MAX_SUBSCRIPTIONS_PER_SOCKET ? next.slice(-MAX_SUBSCRIPTIONS_PER_SOCKET) : next
}

/** The ids without one subscription. */
export function withoutSubscription(ids: readonly string[], subscriptionId: string): readonly string[] {
  return ids.includes(subscriptionId) ? ids.filter((id) => id !== subscriptionId) : ids
}
