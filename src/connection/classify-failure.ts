import { DEV, withGuidance } from '../dev.js'
import { DurableIteratorError } from '../errors.js'

/** HTTP statuses of a token call that will fail the same way if retried. */
function isPermanentStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429
}

/** The HTTP status an error carries (oRPC errors have one), if any. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const status = (error as { status?: unknown }).status
  return typeof status === 'number' ? status : undefined
}

/** `CODE: message` for oRPC errors, the message for other errors. */
export function describeError(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code
  const message = error instanceof Error ? error.message : String(error)
  return typeof code === 'string' ? `${code}: ${message}` : message
}

/** A failed connection attempt, sorted into "retry with backoff" or "stop and report". */
export interface Failure {
  error: DurableIteratorError
  terminal: boolean
}

/** Sorts an error from the token procedure or the URL provider. */
export function classifyTokenFailure(error: unknown, procedureName: string): Failure {
  if (error instanceof DurableIteratorError) {
    return { error, terminal: error.code === 'INVALID_TOKEN' || error.code === 'INVALID_URL' }
  }
  const status = statusOf(error)
  if (status !== undefined && isPermanentStatus(status)) {
    return {
      terminal: true,
      error: new DurableIteratorError(
        'TOKEN_REFUSED',
        withGuidance(
          `The token procedure "${procedureName}" refused to issue a token (${describeError(error)}).`,
          DEV && 'Sign in again or fix the input, then invalidate the token query or call reconnect().',
        ),
        { cause: error },
      ),
    }
  }
  return {
    terminal: false,
    error: new DurableIteratorError(
      'TOKEN_UNAVAILABLE',
      `The token procedure "${procedureName}" failed (${error instanceof Error ? error.message : String(error)}); retrying.`,
      { cause: error },
    ),
  }
}

/** Makes sure partysocket sees an `Error`: a non-Error rejection wedges its reconnect loop. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value))
}
