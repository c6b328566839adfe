/**
 * The package's client core outside React (`createDurableConnection`), for node-environment tests against a hub:
 * tokens come from a token procedure through TanStack Query, as in an app.
 */
import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import type { RouterClient } from '@orpc/server'
import { QueryClient } from '@tanstack/query-core'
import { WebSocket } from 'ws'
import {
  createDurableConnection,
  type DurableConnection,
  type DurableConnectionSettings,
  type DurableConnectionStatus,
  durableIteratorTokenOptions,
} from '../../src'
import { waitFor } from '../server/harness'
import type { TokenRouter } from './token-router'

export interface PackageClient<TEvent> {
  connection: DurableConnection<TEvent>
  /** Statuses in the order the connection took them. */
  statuses: DurableConnectionStatus[]
  waitForStatus(status: DurableConnectionStatus): Promise<void>
  dispose(): void
}

/** Opens the stream of `room` from a token endpoint's `room` procedure (see token-router.ts). */
export function openPackageClient<TEvent = unknown>(
  rpcUrl: string,
  room: string,
  settings: Omit<DurableConnectionSettings, 'queryClient'>,
): PackageClient<TEvent> {
  const client: RouterClient<TokenRouter> = createORPCClient(new RPCLink({ url: rpcUrl }))
  const connection = createDurableConnection<TEvent>({
    queryClient: new QueryClient(),
    tokenQuery: durableIteratorTokenOptions(client.room, { room }, { queryKey: ['room', room] }),
    WebSocket,
    ...settings,
  })
  const statuses: DurableConnectionStatus[] = []
  connection.subscribe(() => {
    const { status } = connection.getSnapshot()
    if (statuses.at(-1) !== status) statuses.push(status)
  })
  connection.start()
  return {
    connection,
    statuses,
    waitForStatus: (status) =>
      waitFor(
        () => connection.getSnapshot().status === status,
        () => `status ${status}; statuses so far: ${statuses.join(' → ')}, error: ${connection.getSnapshot().error}`,
      ).then(() => undefined),
    dispose: () => connection.dispose(),
  }
}
