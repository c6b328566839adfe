import { StandardRPCJsonSerializer } from '@orpc/client/standard'

const serializer = new StandardRPCJsonSerializer()
const utf8 = new TextEncoder()

/**
 * An event payload as oRPC's RPC serializer writes it into an event message, `{"json":…,"meta":[…]}` (`meta` only for
 * values JSON cannot carry: dates, bigints, maps, sets, undefined…). Done once per published event and kept with it,
 * so neither a fan-out nor a replay serializes the payload again.
 */
export function encodeEventData(payload: object): string {
  const [json, meta] = serializer.serialize(payload)
  return JSON.stringify({ json, meta: meta.length > 0 ? meta : undefined })
}

/** The event meta oRPC's client reads: the event id, or comments (the gap marker). */
export type EventFrameMeta = { id: string } | { comments: readonly string[] }

/**
 * One event encoded once for every subscriber. An oRPC event-iterator message is
 * `{"i":<request id>,"t":3,"p":{"e":"message","d":<data>,"m":<meta>}}`, byte for byte what oRPC's server peer sends;
 * only `i`, the id of each subscriber's `subscribe` request, differs. oRPC's client numbers its requests from the
 * same start on every socket, so most subscribers share an id and with it the very same frame (text or UTF-8 bytes).
 */
export class EncodedEvent {
  readonly #tail: string
  readonly #texts = new Map<string, string>()
  readonly #bytes = new Map<string, Uint8Array>()

  constructor(data: string, meta: EventFrameMeta) {
    this.#tail = `,"t":3,"p":{"e":"message","d":${data},"m":${JSON.stringify(meta)}}}`
  }

  /** The frame for the subscription with this request id, as text. */
  text(subscriptionId: string): string {
    let text = this.#texts.get(subscriptionId)
    if (text === undefined) {
      text = `{"i":${JSON.stringify(subscriptionId)}${this.#tail}`
      this.#texts.set(subscriptionId, text)
    }
    return text
  }

  /** The same frame as UTF-8 bytes, for sockets that would otherwise encode the text once per send. */
  bytes(subscriptionId: string): Uint8Array {
    let bytes = this.#bytes.get(subscriptionId)
    if (bytes === undefined) {
      bytes = utf8.encode(this.text(subscriptionId))
      this.#bytes.set(subscriptionId, bytes)
    }
    return bytes
  }
}
