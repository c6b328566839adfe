import { isDeliverable, type SubscriberInfo } from './delivery-filter.js'
import type { EventLog, RetainedEvent } from './event-log.js'

/** Where a client id first subscribed, and when. */
export interface FirstSubscribed {
  seq: number
  atMs: number
}

/**
 * Where a host keeps each client id's first subscription, so that a client that lost its socket before its first
 * event resumes from there and does not lose the events published meanwhile for want of a last event id.
 */
export interface FirstSubscribedStorage {
  get(clientId: string): FirstSubscribed | undefined
  set(clientId: string, entry: FirstSubscribed): void
  /** Forgets entries recorded before `atMs` (a host may do it lazily). */
  forgetBefore(atMs: number): void
}

/** What a `subscribe` asks for. */
export interface SubscribeRequest {
  /** The `last-event-id` of the request: resume after this event. */
  lastEventId: string | undefined
  /** Send a gap marker when events after the resume point are no longer retained. */
  reportGaps: boolean
}

/** Where a channel's subscriptions resume from: its log and its memory of first subscriptions. */
export interface ResumeSource {
  log: EventLog
  firstSubscribed: FirstSubscribedStorage
  /** How long events and first subscriptions are remembered. */
  retentionMs: number
}

/** An event id as a sequence number; ids this hub never issued sort before all of its own. */
export function parseSeq(eventId: string): number {
  return /^\d{1,16}$/.test(eventId) ? Number(eventId) : -1
}

/**
 * The sequence number a subscription resumes after: its last event id, or where its client id first subscribed.
 * A client id seen for the first time (or too long ago) is recorded at the log's head and gets no replay.
 */
export function resumePoint(
  source: ResumeSource,
  clientId: string,
  lastEventId: string | undefined,
  nowMs: number,
): number | undefined {
  if (lastEventId !== undefined) return parseSeq(lastEventId)
  const known = source.firstSubscribed.get(clientId)
  if (known && nowMs - known.atMs <= source.retentionMs) return known.seq
  source.firstSubscribed.forgetBefore(nowMs - source.retentionMs)
  source.firstSubscribed.set(clientId, { seq: source.log.headSeq, atMs: nowMs })
  return undefined
}

/** What a new subscription is owed before live events. */
export interface ReplayPlan {
  /** Events after the resume point were lost (evicted, or the id is from before a restart). */
  gap: boolean
  /** The retained events after the resume point that this subscriber may see, in order. */
  events: RetainedEvent[]
}

/** The replay a subscription gets: the retained events after its resume point that its filters let through. */
export function planReplay(
  source: ResumeSource,
  subscriber: SubscriberInfo,
  lastEventId: string | undefined,
  nowMs: number,
): ReplayPlan {
  const after = resumePoint(source, subscriber.clientId, lastEventId, nowMs)
  if (after === undefined) return { gap: false, events: [] }
  const replay = source.log.since(after, nowMs)
  return { gap: !replay.complete, events: replay.events.filter((event) => isDeliverable(event.filter, subscriber)) }
}
