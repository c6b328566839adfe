/**
 * - `idle`: disabled, or rendered on the server;
 * - `connecting`: first attempt (token, handshake, subscribe);
 * - `open`: subscribed, events flow;
 * - `reconnecting`: lost after having been open, or retrying a failed first attempt;
 * - `closed`: closed by `close()`; `reconnect()` reopens;
 * - `error`: gave up (non-retryable token error, invalid token, refused access, `maxRetries`); `reconnect()` retries.
 */
export type DurableConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' | 'error'

/** What can happen to a connection. Every status change goes through `nextStatus`. */
export type ConnectionTransition =
  | 'start'
  | 'subscribed'
  | 'attempt-failed'
  | 'connection-lost'
  | 'closed-by-user'
  | 'failed-terminally'

export function nextStatus(
  current: DurableConnectionStatus,
  transition: ConnectionTransition,
): DurableConnectionStatus {
  switch (transition) {
    case 'start':
      return 'connecting'
    case 'subscribed':
      return current === 'closed' || current === 'error' ? current : 'open'
    case 'attempt-failed':
    case 'connection-lost':
      return current === 'closed' || current === 'error' || current === 'idle' ? current : 'reconnecting'
    case 'closed-by-user':
      return 'closed'
    case 'failed-terminally':
      return current === 'closed' ? current : 'error'
  }
}
