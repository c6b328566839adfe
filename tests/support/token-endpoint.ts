/**
 * An app's token procedures on a Node http server, the way a user wires them for oRPC's own client: an oRPC
 * `RPCHandler` at /rpc with `DurableIteratorTokenPlugin`, and optionally a hub's upgrades at /durable.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AnyRouter } from '@orpc/server'
import { RPCHandler } from '@orpc/server/node'
import { type DurableIteratorHub, DurableIteratorTokenPlugin } from '../../src/server'
import { tokenRouter } from './token-router'

export interface TokenEndpoint {
  rpcUrl: string
  durableUrl: string
  close(): Promise<void>
}

/** Serves `tokenRouter(issue)` at /rpc and, if given, `hub` at /durable, on 127.0.0.1 and a free port. */
export async function startTokenEndpoint<TMethods extends AnyRouter>({
  signingKey,
  issue,
  hub,
}: {
  signingKey: string
  issue: (room: string) => Promise<string>
  hub?: DurableIteratorHub<TMethods>
}): Promise<TokenEndpoint> {
  const handler = new RPCHandler(tokenRouter(issue), { plugins: [new DurableIteratorTokenPlugin({ signingKey })] })
  const server = createServer(async (request, response) => {
    const { matched } = await handler.handle(request, response, { prefix: '/rpc', context: {} })
    if (!matched) response.writeHead(404).end()
  })
  if (hub) server.on('upgrade', (request, socket, head) => hub.handleUpgrade(request, socket, head))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    rpcUrl: `http://127.0.0.1:${port}/rpc`,
    durableUrl: `ws://127.0.0.1:${port}/durable`,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
