import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import { createTanstackQueryUtils } from '@orpc/tanstack-query'
import type { ReferenceApi } from './reference-api'

/**
 * The reference server's oRPC client as TanStack Query utils. The server component and the browser each make
 * their own (with the same URL): the token's query key comes from the procedure's path and input, so both
 * sides agree on it.
 */
export function createOrpc(rpcUrl: string) {
  const client: ReferenceApi = createORPCClient(new RPCLink({ url: rpcUrl }))
  return createTanstackQueryUtils(client)
}

export type Orpc = ReturnType<typeof createOrpc>
