import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A durable endpoint that refuses every upgrade with a plain HTTP status before upgrading, as oRPC's own
 * durable-iterator server answers a bad token (401), counting the upgrade requests it refused.
 */
export async function startRefusingUpgradeServer(status: number, message = 'Invalid Token') {
  const refused = { count: 0 }
  const server = createServer((_request, response) => response.writeHead(404).end())
  server.on('upgrade', (_request, socket) => {
    refused.count++
    socket.end(
      `HTTP/1.1 ${status} ${message}\r\nContent-Type: text/plain\r\nContent-Length: ${message.length}\r\nConnection: close\r\n\r\n${message}`,
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    durableUrl: `ws://127.0.0.1:${port}/durable`,
    refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
