/** Query parameter that carries the stable client id on the upgrade URL. */
export const CLIENT_ID_PARAM = 'id'

/** Query parameter that carries the token on the upgrade URL. */
export const TOKEN_PARAM = 'token'

/**
 * Every close code a hub sends. Refusals come after an accepted upgrade: browsers never expose the HTTP status of a
 * refused upgrade, so the hub accepts the socket and closes it with one of these, which the client can read.
 */
export const CloseCode = {
  /** The hub is shutting down (`close()`): reconnect, to this hub or another. */
  goingAway: 1001,
  /** A frame that is not an oRPC message (RFC 6455: inconsistent data). */
  invalidFrame: 1007,
  /** The upgrade URL lacks the client `id`. */
  missingClientId: 4000,
  /** The token is missing, malformed, badly signed or expired. */
  invalidToken: 4001,
  /** The token is valid but does not allow what was asked. */
  forbidden: 4003,
  /** oRPC's own durable-iterator server closes expired sockets with this (policy violation). */
  policyViolation: 1008,
  /** A frame exceeded the hub's `maxPayloadBytes`. */
  messageTooBig: 1009,
  /** The hub is at `maxSockets`, or a subscriber fell too far behind: retry later (the client backs off). */
  tryAgainLater: 1013,
} as const

/** Meta comment of the event a hub sends when events after the client's resume point were lost. */
export const GAP_MARKER_COMMENT = 'durable-iterator:gap'

/** Close reason of a socket whose token expired without an update (with `CloseCode.invalidToken`). */
export const TOKEN_EXPIRED_REASON = 'token expired'
