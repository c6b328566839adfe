/** What went wrong, as a stable code a UI can switch on. */
export type DurableIteratorErrorCode =
  /** Terminal: the token procedure failed with a non-retryable error (UNAUTHORIZED, FORBIDDEN, BAD_REQUEST…). */
  | 'TOKEN_REFUSED'
  /** Terminal: the token procedure returned something that is not a readable durable-iterator token. */
  | 'INVALID_TOKEN'
  /** Transient: the token procedure did not answer within `tokenTimeoutMs` (retried). */
  | 'TOKEN_TIMEOUT'
  /** Transient: the token procedure failed in a way worth retrying (network, 5xx). */
  | 'TOKEN_UNAVAILABLE'
  /**
   * Transient: an attempt failed before the stream was subscribed (the upgrade failed or timed out, the server
   * closed the socket before the subscription started, or it is busy). Retried with backoff.
   */
  | 'CONNECTION_FAILED'
  /** Transient: an open stream lost its socket; it reconnects and resumes after the last event. */
  | 'CONNECTION_LOST'
  /**
   * Terminal: the server refused the stream: a token it had just been issued (close 4001/1008 or HTTP 401), access
   * (close 4003, HTTP 403, a refused subscribe), or the upgrade itself (close 4000, HTTP 400/404/426…).
   */
  | 'CONNECTION_REFUSED'
  /** Terminal: `reconnect.maxRetries` attempts failed in a row; `cause` is the last attempt's error. */
  | 'MAX_RETRIES'
  /** A remote call was made while the stream is closed, in `error`, or not enabled. */
  | 'NOT_CONNECTED'
  /** Terminal: the `url` option did not give a usable WebSocket URL. */
  | 'INVALID_URL'
  /** An `onEvent` or `onGap` callback threw; the stream goes on. Reported to `onError`, never a status. */
  | 'LISTENER_FAILED'

/** The package's error: `code` says what failed, the message says what to do, `cause` holds the original. */
export class DurableIteratorError extends Error {
  override readonly name = 'DurableIteratorError'
  readonly code: DurableIteratorErrorCode

  constructor(code: DurableIteratorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
