import { DEV, withGuidance } from '../dev.js'
import { DurableIteratorError } from '../errors.js'

/** Receives the error of a callback that threw (an `onEvent`, `onGap`, or snapshot listener). */
export type ListenerErrorHandler = (error: DurableIteratorError) => void

/** Where a throwing callback is reported when its owner gave no `onError`. */
export const reportToConsole: ListenerErrorHandler = (error) => {
  console.error(error)
}

/**
 * Wraps a user callback so that a throw is reported and goes no further: it must never reach the loop that reads
 * the socket (which would take it for a closed socket and stop the stream) nor the other listeners.
 */
export function isolateListener<TArgs extends unknown[]>(
  listener: (...args: TArgs) => void,
  describe: (...args: TArgs) => string,
  onError: ListenerErrorHandler = reportToConsole,
): (...args: TArgs) => void {
  return (...args) => {
    try {
      listener(...args)
    } catch (cause) {
      const error = new DurableIteratorError(
        'LISTENER_FAILED',
        withGuidance(`${describe(...args)} threw; the stream goes on.`, DEV && 'Fix the callback, or pass `onError`.'),
        { cause },
      )
      try {
        onError(error)
      } catch {
        reportToConsole(error)
      }
    }
  }
}
