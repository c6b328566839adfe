/** What went wrong, as a stable code a UI can switch on. */
export type DurableIteratorErrorCode =
  /** The token procedure failed with a non-retryable error (UNAUTHORIZED, FORBIDDEN, BAD_REQUEST…). */
  | 'TOKEN_REFUSED'
  /** The token procedure returned something that is not a readable durable-iterator token. */
  | 'INVALID_TOKEN'
  /** The token procedure did not answer within `tokenTimeoutMs` (retried). */
  | 'TOKEN_TIMEOUT'
  /** The token procedure failed in a way worth retrying (network, 5xx). */
  | 'TOKEN_UNAVAILABLE'
  /** The server refused the socket's token or its access (close 4001/4003/1008). */
  | 'CONNECTION_REFUSED'
  /** `reconnect.maxRetries` attempts failed in a row. */
  | 'MAX_RETRIES'
  /** The connection was closed or failed before a remote call could be made. */
  | 'NOT_CONNECTED'
  /** The `url` option did not give a usable WebSocket URL. */
  | 'INVALID_URL'

/** The package's error: `code` says what failed, the message says what to do, `cause` holds the original. */
export class DurableIteratorError extends Error {
  override readonly name = 'DurableIteratorError'
  readonly code: DurableIteratorErrorCode

  constructor(code: DurableIteratorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }

  // The client and `/token` entries each bundle this class: recognise an instance from either copy.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      value instanceof Error && value.name === 'DurableIteratorError' && typeof Reflect.get(value, 'code') === 'string'
    )
  }
}
