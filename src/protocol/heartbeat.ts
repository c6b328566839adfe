/**
 * The heartbeat probe: one fixed frame, sent outside the RPC link and compared byte for byte by the Durable Object's
 * WebSocket auto-response, which answers it without waking a hibernated object. It is also a valid oRPC request for
 * `ping` under a request id oRPC's link never issues (its ids are base-36 numbers), so every server answers it
 * cheaply: the Node hub runs `ping`, oRPC's own server answers 404 (no such procedure). A raw non-oRPC probe would not
 * do: oRPC's server cannot decode it and never answers.
 */
export const HEARTBEAT_REQUEST_ID = 'rdi-heartbeat'

/** What the client sends: an oRPC request message for `/ping`, no input. */
export const HEARTBEAT_PROBE_FRAME = `{"i":"${HEARTBEAT_REQUEST_ID}","p":{"u":"/ping"}}`

/** What the Durable Object answers without waking: an empty oRPC success response to the probe's request id. */
export const HEARTBEAT_ANSWER_FRAME = `{"i":"${HEARTBEAT_REQUEST_ID}","p":{}}`

const ANSWER_PREFIX = `{"i":"${HEARTBEAT_REQUEST_ID}"`

/** Any server's answer to the probe (success or error response), which the RPC link must never see. */
export function isHeartbeatAnswer(data: unknown): boolean {
  return typeof data === 'string' && data.startsWith(ANSWER_PREFIX)
}
