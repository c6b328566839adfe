import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import type { RouterClient } from '@orpc/server'
import { createTanstackQueryUtils } from '@orpc/tanstack-query'
import type { ReferenceRouter } from '../../src/server'

declare const __DEMO_CONFIG__: { rpcUrl: string; durableUrl: string; tokenTtlSeconds: number }

/** Where the reference server listens, as `demo/start.mjs` started it. */
export const demoConfig = __DEMO_CONFIG__

/** The app's oRPC client and its TanStack Query utils: the token procedures are ordinary procedures. */
export const client: RouterClient<ReferenceRouter> = createORPCClient(new RPCLink({ url: demoConfig.rpcUrl }))
export const orpc = createTanstackQueryUtils(client)

export const CHAT_ROOM = { room: 'lobby' }
export const TICKER_SYMBOL = { symbol: 'ACME' }
