import type { PublishOptions } from '../protocol/delivery-filter.js'
import type { DurableObjectNamespaceLike } from './runtime.js'

/** Path of the object's internal publish request; the Worker helper never forwards anything but upgrades to it. */
export const PUBLISH_PATH = '/__durable-iterator/publish'

/** Publish options that cross from a Worker to the object: targets and exclude are client ids, not predicates. */
export interface RemotePublishOptions extends Omit<PublishOptions, 'targets' | 'exclude'> {
  targets?: readonly string[]
  exclude?: readonly string[]
}

export interface PublishRequest {
  payload: object
  options?: RemotePublishOptions
}

/**
 * Publishes an event to a channel from a Worker (or another object): the channel's object stores it for resume and
 * sends it to its subscribers. Payloads must be JSON-serializable objects.
 */
export async function publishDurableIteratorEvent(
  namespace: DurableObjectNamespaceLike,
  channel: string,
  payload: object,
  options?: RemotePublishOptions,
): Promise<void> {
  const stub = namespace.get(namespace.idFromName(channel))
  const body: PublishRequest = options ? { payload, options } : { payload }
  const response = await stub.fetch(
    new Request(`https://durable-iterator.internal${PUBLISH_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  )
  if (!response.ok) {
    throw new Error(`react-durable-iterator: publishing to ${JSON.stringify(channel)} failed (${response.status}).`)
  }
}
