import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import type { RouterClient } from '@orpc/server'
import { createTanstackQueryUtils } from '@orpc/tanstack-query'
import type { ReferenceRouter } from '../../src/server/reference-app'

declare const __DEMO_CONFIG__: {
  rpcUrl: string
  durableUrl: string
  tokenTtlSeconds: number
  engine: string
  shareAcrossTabs: boolean
}

/** Where the reference server (and the hub, on the engine `engine` names) listens, as `demo/start.mjs` started it. */
export const demoConfig = __DEMO_CONFIG__

/** The app's oRPC client and its TanStack Query utils: the token procedures are ordinary procedures. */
export const client: RouterClient<ReferenceRouter> = createORPCClient(new RPCLink({ url: demoConfig.rpcUrl }))
export const orpc = createTanstackQueryUtils(client)

/** Only the Node engine can stop its server for a while: the Durable Object engine has no such drill. */
export const canStopServer = !demoConfig.engine.startsWith('Cloudflare')

export const CHAT_ROOM = { room: 'lobby' }
export const TICKER_SYMBOL = { symbol: 'ACME' }
