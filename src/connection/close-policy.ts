import { DurableIteratorError } from '../errors.js'
import { CloseCode } from '../protocol/constants.js'
import { describeError, statusOf } from './classify-failure.js'

/** How far a socket got before it ended. */
export type SocketPhase = 'opening' | 'subscribing' | 'subscribed'

/** Everything known about a socket that ended, for deciding what the stream does next. */
export interface SocketEnd {
  code: number
  reason: string
  phase: SocketPhase
  /** Status of a refused upgrade, where the WebSocket implementation reports it (`ws` does; browsers never do). */
  httpStatus?: number
  /** The handshake did not complete within `handshakeTimeoutMs`. */
  timedOut?: boolean
  /** The client ended the socket itself (heartbeat timeout, a failed subscribe, a new url), for this reason. */
  endedByClient?: DurableIteratorError
  /** The attempt's token was fetched for it rather than taken from the cache: a refusal is not staleness. */
  tokenWasFresh: boolean
  /** A fresh token was already fetched in this run of failed attempts (an outage costs one token call). */
  refetchedThisOutage: boolean
  /** The endpoint, without its query string (never the token), for messages. */
  endpoint: string
  handshakeTimeoutMs: number
}

export type CloseDecision =
  /** Stop with status `error`; `endsSession` when the server refused the token or access (see `SessionEnd`). */
  | { action: 'fail'; error: DurableIteratorError; endsSession: boolean }
  /** Try again (at once if the stream was open, else after backoff), with a fresh token if `freshToken`. */
  | { action: 'retry'; error: DurableIteratorError; freshToken: boolean }

const HTTP_UNAUTHORIZED = 401
const HTTP_FORBIDDEN = 403

function describeClose(end: SocketEnd): string {
  return `${end.code}${end.reason ? `: ${end.reason}` : ''}`
}

/** 4xx statuses that will not change on retry (408 timeout and 429 rate limit will). */
function isPermanentHttpStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429
}

function retry(code: 'CONNECTION_FAILED' | 'CONNECTION_LOST', message: string, freshToken = false): CloseDecision {
  return { action: 'retry', error: new DurableIteratorError(code, message), freshToken }
}

function refuse(message: string, endsSession: boolean): CloseDecision {
  return { action: 'fail', error: new DurableIteratorError('CONNECTION_REFUSED', message), endsSession }
}

/**
 * What a stream does after its socket ended: retry (maybe with a fresh token) or stop, and the error that says
 * why. Pure, so every close code, phase and HTTP status is decided in this one place.
 */
export function decideAfterClose(end: SocketEnd): CloseDecision {
  const lost = end.phase === 'subscribed'
  if (end.endedByClient) return { action: 'retry', error: end.endedByClient, freshToken: false }

  if (end.httpStatus !== undefined) return decideAfterRefusedUpgrade(end, end.httpStatus)

  if (end.code === CloseCode.forbidden) {
    return refuse(
      `The server refused access to this stream (${describeClose(end)}): the token is valid but does not allow it. ` +
        'Issue a token for this channel, tags and methods, then invalidate the token query or call reconnect().',
      true,
    )
  }
  if (end.code === CloseCode.missingClientId) {
    return refuse(
      `The server closed the socket with ${describeClose(end)}: the upgrade URL reached it without the client \`id\` ` +
        `parameter. The client adds \`id\` and \`token\` to the URL \`url\` gives (${end.endpoint}); check that no ` +
        'proxy or rewrite drops the query string.',
      false,
    )
  }
  if (end.code === CloseCode.invalidToken || end.code === CloseCode.policyViolation) {
    if (lost) {
      return retry(
        'CONNECTION_LOST',
        `The server closed the stream because its token was refused or expired (${describeClose(end)}); ` +
          'reconnecting with a fresh token and resuming after the last event.',
        true,
      )
    }
    if (end.tokenWasFresh) {
      return refuse(
        `The server refused a token the token procedure had just issued (${describeClose(end)}). The token ` +
          'procedure and the durable server disagree: check that both use the same signing key and token format, ' +
          'and that their clocks agree. Then invalidate the token query or call reconnect().',
        true,
      )
    }
    return retry(
      'CONNECTION_FAILED',
      `The server refused the cached token (${describeClose(end)}); retrying with a fresh one.`,
      true,
    )
  }
  if (end.code === CloseCode.tryAgainLater) {
    return retry(
      lost ? 'CONNECTION_LOST' : 'CONNECTION_FAILED',
      `The server asked to try again later (${describeClose(end)}); retrying with backoff and resuming after the last event.`,
    )
  }
  if (lost) {
    return retry(
      'CONNECTION_LOST',
      `The connection was lost (close ${describeClose(end)}); reconnecting and resuming after the last event.`,
    )
  }
  if (end.phase === 'subscribing') {
    // Our hubs refuse a token by accepting and closing with 4001; other servers may close without a code.
    return retry(
      'CONNECTION_FAILED',
      `The server closed the socket before the subscription started (close ${describeClose(end)}). ` +
        'A refused token is a possible cause; retrying with backoff.',
      !end.refetchedThisOutage,
    )
  }
  if (end.timedOut) {
    return retry(
      'CONNECTION_FAILED',
      `The WebSocket to ${end.endpoint} did not open within ${end.handshakeTimeoutMs} ms; retrying with backoff.`,
    )
  }
  // Browsers hide the HTTP status of a refused upgrade: all the client sees is a socket that never opened.
  return retry(
    'CONNECTION_FAILED',
    `The connection to ${end.endpoint} closed before the WebSocket opened. If the server is up, a refused token ` +
      "is a likely cause (oRPC's durable-iterator server answers a bad token with HTTP 401 before upgrading, which " +
      "browsers do not show): check the token procedure and the server's signing key. Retrying with backoff.",
    !end.refetchedThisOutage,
  )
}

function decideAfterRefusedUpgrade(end: SocketEnd, status: number): CloseDecision {
  if (status === HTTP_UNAUTHORIZED) {
    if (end.tokenWasFresh) {
      return refuse(
        `The server refused the upgrade with HTTP 401 although the token procedure had just issued the token. ` +
          'The token procedure and the durable server disagree: check that both use the same signing key and ' +
          'token format. Then invalidate the token query or call reconnect().',
        true,
      )
    }
    return retry(
      'CONNECTION_FAILED',
      'The server refused the upgrade with HTTP 401; retrying with a fresh token.',
      true,
    )
  }
  if (status === HTTP_FORBIDDEN) {
    return refuse(
      'The server refused the upgrade with HTTP 403: the token does not allow this stream. Issue a token that ' +
        'does, then invalidate the token query or call reconnect().',
      true,
    )
  }
  if (isPermanentHttpStatus(status)) {
    return refuse(
      `The server answered the upgrade at ${end.endpoint} with HTTP ${status}, which retrying will not change: ` +
        'check that `url` points at the durable endpoint. Then call reconnect().',
      false,
    )
  }
  return retry('CONNECTION_FAILED', `The server answered the upgrade with HTTP ${status}; retrying with backoff.`)
}

/** The HTTP status in an upgrade error, as `ws` reports it ("Unexpected server response: 401"). */
export function httpStatusOfUpgradeError(message: string | undefined): number | undefined {
  const match = message?.match(/Unexpected server response: (\d{3})/)
  return match ? Number(match[1]) : undefined
}

/** What a stream does when the server answers `subscribe` with an error instead of events. */
export function decideAfterSubscribeError(error: unknown): CloseDecision {
  const status = statusOf(error)
  const detail = describeError(error)
  if (status === HTTP_UNAUTHORIZED || status === HTTP_FORBIDDEN) {
    return refuse(
      `The server refused the subscription (${detail}): the token does not allow this stream. Issue a token that ` +
        'does, then invalidate the token query or call reconnect().',
      true,
    )
  }
  if (status !== undefined && isPermanentHttpStatus(status)) {
    return refuse(
      `The server cannot serve the subscription (${detail}): check that \`url\` points at a durable-iterator endpoint.`,
      false,
    )
  }
  return retry('CONNECTION_FAILED', `The subscription failed (${detail}); retrying with backoff.`)
}
