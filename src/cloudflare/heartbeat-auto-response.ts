import { HEARTBEAT_ANSWER_FRAME, HEARTBEAT_PROBE_FRAME } from '../protocol/heartbeat.js'
import type { DurableObjectStateLike, WebSocketRequestResponsePairLike } from './runtime.js'

type AutoResponsePair = new (request: string, response: string) => WebSocketRequestResponsePairLike

/**
 * Has the runtime answer this package's heartbeat probe itself, without waking the object or running any of its
 * code (`ctx.setWebSocketAutoResponse`, an exact-string match). `createDurableIteratorObject` does this; call it in
 * the constructor of any other Durable Object this package's client connects to, e.g. one of oRPC's own
 * `DurableIteratorObject`s, so its clients' heartbeats stop waking it. Does nothing outside the Workers runtime.
 */
export function answerHeartbeatsWithoutWaking(ctx: Pick<DurableObjectStateLike, 'setWebSocketAutoResponse'>): void {
  const Pair = (globalThis as unknown as { WebSocketRequestResponsePair?: AutoResponsePair })
    .WebSocketRequestResponsePair
  if (!Pair || !ctx.setWebSocketAutoResponse) return
  ctx.setWebSocketAutoResponse(new Pair(HEARTBEAT_PROBE_FRAME, HEARTBEAT_ANSWER_FRAME))
}
