import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import type { ContractRouterClient } from '@orpc/contract'
import { createTanstackQueryUtils } from '@orpc/tanstack-query'
import { MOCK_RPC_URL, type tokenContract } from '../mocks/chat-api'

/** The app's oRPC client for the token procedure, as a real app would make it (msw answers its calls). */
const client: ContractRouterClient<typeof tokenContract> = createORPCClient(new RPCLink({ url: MOCK_RPC_URL }))

export const orpc = createTanstackQueryUtils(client)
