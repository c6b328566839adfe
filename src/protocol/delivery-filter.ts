import type { DurableIteratorClaims } from './claims.js'

/** What the hub knows of a subscriber when it decides whether an event reaches it. */
export interface SubscriberInfo {
  /** The stable client id from the upgrade URL, kept across reconnects. */
  clientId: string
  claims: DurableIteratorClaims
}

/** Sockets chosen by client id, or by a predicate over the channel's current subscribers. */
export type SubscriberSelector = readonly string[] | ((subscriber: SubscriberInfo) => boolean)

export interface PublishOptions {
  /** Deliver only to tokens that carry at least one of these tags. */
  tags?: readonly string[]
  /**
   * Deliver only to these subscribers. Strict: a predicate is evaluated once, at publish time, so a
   * client that connects later never receives (or replays) the event unless its id was listed.
   */
  targets?: SubscriberSelector
  /** Deliver to everyone the other options allow, except these. */
  exclude?: SubscriberSelector
}

/** A publish's filter resolved to plain data, so it can be stored with the event and applied on replay. */
export interface DeliveryFilter {
  tags?: ReadonlySet<string>
  targetIds?: ReadonlySet<string>
  excludedIds?: ReadonlySet<string>
}

export function resolveDeliveryFilter(
  options: PublishOptions,
  currentSubscribers: Iterable<SubscriberInfo>,
): DeliveryFilter {
  const filter: DeliveryFilter = {}
  if (options.tags) filter.tags = new Set(options.tags)
  if (options.targets) filter.targetIds = selectIds(options.targets, currentSubscribers)
  if (options.exclude) filter.excludedIds = selectIds(options.exclude, currentSubscribers)
  return filter
}

function selectIds(selector: SubscriberSelector, currentSubscribers: Iterable<SubscriberInfo>): Set<string> {
  if (typeof selector !== 'function') return new Set(selector)
  const ids = new Set<string>()
  for (const subscriber of currentSubscribers) {
    if (selector(subscriber)) ids.add(subscriber.clientId)
  }
  return ids
}

export function isDeliverable(filter: DeliveryFilter, subscriber: SubscriberInfo): boolean {
  if (filter.targetIds && !filter.targetIds.has(subscriber.clientId)) return false
  if (filter.excludedIds?.has(subscriber.clientId)) return false
  if (filter.tags) {
    const tokenTags = subscriber.claims.tags ?? []
    if (!tokenTags.some((tag) => filter.tags?.has(tag))) return false
  }
  return true
}
