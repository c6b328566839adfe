import type { PublishOptions } from './delivery-filter.js'

/**
 * A hub's channel map types its `publish` and `issueToken`: keys are channel names or patterns (`chat:${string}`),
 * values the type of the events published there, objects as the hubs require:
 *
 * ```ts
 * interface AppChannels {
 *   [channel: `chat:${string}`]: ChatMessage
 *   [channel: `ticker:${string}`]: Tick
 * }
 * const hub = createDurableIteratorHub<typeof methods, AppChannels>({ signingKey, methods })
 * hub.publish('chat:lobby', message) // message must be a ChatMessage
 * ```
 */
export type ChannelEventMap<TChannels> = { [TChannel in keyof TChannels]: object }

/** The channels of a hub made without a channel map: any name, events of any object type. */
export type AnyChannels = Record<string, object>

/** A channel name the map has a type for. */
export type ChannelName<TChannels> = keyof TChannels & string

/** The event type the map gives `TChannel` (a union for a union of channels). */
export type ChannelEvent<TChannels, TChannel extends string> = TChannel extends keyof TChannels
  ? TChannels[TChannel]
  : never

/** A host's `publish`, typed by its channel map: the payload must be of the event type the map gives the channel. */
export type PublishToChannel<TChannels, TResult> = <const TChannel extends ChannelName<TChannels>>(
  channel: TChannel,
  payload: ChannelEvent<TChannels, TChannel>,
  options?: PublishOptions,
) => TResult
