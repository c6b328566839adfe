import { DEV, withGuidance } from '../dev.js'
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
  /** Stop with status `error`; `endsSession` when the server refused the token or access (a new session follows). */
  | { action: 'fail'; error: DurableIteratorError; endsSession: boolean }
  /** Try again (at once if the stream was open, else after backoff), with a fresh token if `freshToken`. */
  | { action: 'retry'; error: DurableIteratorError; freshToken: boolean }

const HTTP_UNAUTHORIZED = 401
const HTTP_FORBIDDEN = 403

const FIX_ACCESS = DEV && 'Issue a token that allows this stream, then invalidate the token query or call reconnect().'
const FIX_KEYS =
  DEV &&
  'The token procedure and the durable server disagree: check that both use the same signing key and token format, ' +
    'and that their clocks agree. Then invalidate the token query or call reconnect().'

/** 4xx statuses that will not change on retry (408 timeout and 429 rate limit will). */
export function isPermanentHttpStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429
}

function retry(lost: boolean, message: string, freshToken = false): CloseDecision {
  const code = lost ? 'CONNECTION_LOST' : 'CONNECTION_FAILED'
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
  const close = `close ${end.code}${end.reason ? `: ${end.reason}` : ''}`
  const status = end.httpStatus
  if (end.endedByClient) return { action: 'retry', error: end.endedByClient, freshToken: false }

  if (
    status === HTTP_UNAUTHORIZED ||
    ((end.code === CloseCode.invalidToken || end.code === CloseCode.policyViolation) && !lost)
  ) {
    const why = status ? 'HTTP 401' : close
    if (end.tokenWasFresh)
      return refuse(withGuidance(`The server refused a token just issued (${why}).`, FIX_KEYS), true)
    return retry(false, `The server refused the cached token (${why}); retrying with a fresh one.`, true)
  }
  if (status === HTTP_FORBIDDEN || end.code === CloseCode.forbidden) {
    return refuse(
      withGuidance(`The server refused access to this stream (${status ? 'HTTP 403' : close}).`, FIX_ACCESS),
      true,
    )
  }
  if (status !== undefined) {
    if (!isPermanentHttpStatus(status)) return retry(false, `The upgrade got HTTP ${status}; retrying.`)
    return refuse(
      withGuidance(
        `The upgrade at ${end.endpoint} got HTTP ${status}.`,
        DEV && 'Check that `url` is the durable endpoint.',
      ),
      false,
    )
  }
  if (end.code === CloseCode.missingClientId) {
    return refuse(
      withGuidance(
        `The server says the upgrade had no client \`id\` (${close}).`,
        DEV &&
          `The client adds \`id\` and \`token\` to the URL \`url\` gives (${end.endpoint}): check that no proxy or ` +
            'rewrite drops the query string.',
      ),
      false,
    )
  }
  if (end.code === CloseCode.invalidToken || end.code === CloseCode.policyViolation) {
    return retry(
      true,
      `The server ended the stream: token refused or expired (${close}); reconnecting with a fresh one.`,
      true,
    )
  }
  if (lost) return retry(true, `The connection was lost (${close}); reconnecting and resuming.`)
  if (end.code === CloseCode.tryAgainLater) return retry(false, `The server is busy (${close}); retrying.`)
  if (end.phase === 'subscribing') {
    // Our hubs refuse a token by accepting and closing with 4001; other servers may close without a code.
    return retry(
      false,
      withGuidance(
        `The server closed the socket before the subscription started (${close}).`,
        DEV && 'A refused token is a possible cause.',
      ),
      !end.refetchedThisOutage,
    )
  }
  if (end.timedOut)
    return retry(false, `The WebSocket to ${end.endpoint} did not open within ${end.handshakeTimeoutMs} ms.`)
  // Browsers hide the HTTP status of a refused upgrade: all the client sees is a socket that never opened.
  return retry(
    false,
    withGuidance(
      `The connection to ${end.endpoint} closed before the WebSocket opened; a refused token is a likely cause.`,
      DEV &&
        "oRPC's durable-iterator server answers a bad token with HTTP 401 before upgrading, which browsers do not " +
          "show: check the token procedure and the server's signing key, and that the server is up.",
    ),
    !end.refetchedThisOutage,
  )
}

/** What a stream does when the server answers `subscribe` with an error instead of events. */
export function decideAfterSubscribeError(error: unknown): CloseDecision {
  const status = statusOf(error)
  const detail = describeError(error)
  if (status === HTTP_UNAUTHORIZED || status === HTTP_FORBIDDEN) {
    return refuse(withGuidance(`The server refused the subscription (${detail}).`, FIX_ACCESS), true)
  }
  if (status !== undefined && isPermanentHttpStatus(status)) {
    return refuse(
      withGuidance(
        `The server cannot serve the subscription (${detail}).`,
        DEV && 'Check that `url` is a durable-iterator endpoint.',
      ),
      false,
    )
  }
  return retry(false, `The subscription failed (${detail}); retrying.`)
}

/** The HTTP status in an upgrade error, as `ws` reports it ("Unexpected server response: 401"). */
export function httpStatusOfUpgradeError(message: string | undefined): number | undefined {
  const match = message?.match(/Unexpected server response: (\d{3})/)
  return match ? Number(match[1]) : undefined
}
