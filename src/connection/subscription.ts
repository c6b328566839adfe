import type { ContractRouterClient } from '@orpc/contract'
import type { DurableIteratorContract } from '../protocol/contract.js'

export interface SubscriptionHandlers {
  /** Whether the socket this subscription runs on is still the live one. */
  isCurrent(): boolean
  /** The server accepted the subscription; `iterator` ends it early (when the stream closes). */
  onSubscribed(iterator: AsyncIterator<unknown>): void
  onEvent(event: unknown): void
  /** The server refused `subscribe`, or ended the subscription with an error, on a socket still live. */
  onFailed(error: unknown): void
  /** The server ended the subscription while the socket stayed live. */
  onEnded(): void
}

/**
 * Subscribes over a socket that just opened, resuming after `lastEventId`, and reads its events until the socket
 * is no longer current. A socket that closes under the subscription is not reported here: its end goes through
 * the close policy.
 */
export async function readSubscription(
  client: ContractRouterClient<DurableIteratorContract>,
  lastEventId: string | undefined,
  handlers: SubscriptionHandlers,
): Promise<void> {
  let iterator: AsyncIterator<unknown>
  try {
    iterator = await client.subscribe({ reportGaps: true }, { lastEventId })
  } catch (error) {
    if (handlers.isCurrent()) handlers.onFailed(error)
    return
  }
  if (!handlers.isCurrent()) {
    iterator.return?.().catch(() => {})
    return
  }
  handlers.onSubscribed(iterator)
  try {
    while (handlers.isCurrent()) {
      const result = await iterator.next()
      if (result.done) break
      handlers.onEvent(result.value)
    }
  } catch (error) {
    if (handlers.isCurrent()) handlers.onFailed(error)
    return
  }
  if (handlers.isCurrent()) handlers.onEnded()
}
