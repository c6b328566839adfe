import type { ClientLink } from '@orpc/client'
import type { ContractRouterClient } from '@orpc/contract'
import { DEV, withGuidance } from '../dev.js'
import { DurableIteratorError } from '../errors.js'
import type { DurableIteratorContract } from '../protocol/contract.js'
import type { DurableConnectionStatus } from './connection-status.js'
import { NO_INPUT } from './explicit-undefined.js'

/**
 * Remote methods over the stream's socket. A call made while the stream reconnects waits until it is
 * open again (instead of failing with "WebSocket is not open"); it fails if the stream closes or errors.
 */
export class RemoteCalls {
  readonly link: ClientLink<Record<never, never>>

  readonly #status: () => DurableConnectionStatus
  readonly #subscribe: (listener: () => void) => () => void

  constructor(
    status: () => DurableConnectionStatus,
    client: () => ContractRouterClient<DurableIteratorContract>,
    subscribe: (listener: () => void) => () => void,
  ) {
    this.#status = status
    this.#subscribe = subscribe
    this.link = {
      call: async (path, input, options) => {
        await this.#whenOpen(options.signal)
        // `rpc.whoAmI()` still sends an `input` key: oRPC's server refuses a call frame without one.
        const sent = input === undefined ? NO_INPUT : input
        return client().call({ path: path as [string, ...string[]], input: sent }, { signal: options.signal })
      },
    }
  }

  #whenOpen(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const status = this.#status()
        if (status === 'open') {
          resolve()
          return true
        }
        if (status === 'closed' || status === 'error') {
          reject(
            new DurableIteratorError(
              'NOT_CONNECTED',
              withGuidance(`Cannot call a remote method: the stream is ${status}.`, DEV && 'Call reconnect() first.'),
            ),
          )
          return true
        }
        if (signal?.aborted) {
          reject(signal.reason)
          return true
        }
        return false
      }
      if (check()) return
      const unsubscribe = this.#subscribe(() => {
        if (check()) done()
      })
      const onAbort = () => {
        check()
        done()
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      function done() {
        unsubscribe()
        signal?.removeEventListener('abort', onAbort)
      }
    })
  }
}
