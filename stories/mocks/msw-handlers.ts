import { HttpResponse, http, ws } from 'msw'
import { MOCK_DURABLE_URL, MOCK_RPC_URL } from './chat-api'
import type { MockDurableServer } from './mock-durable-server'

/**
 * The msw handlers that put a mock server behind the stories' endpoints:
 * - the token procedure, on oRPC's fetch RPCLink wire: `POST <rpcUrl>/chat/onMessage` with `{"json": input}`,
 *   answered with `{"json": output}` (or an error body and its HTTP status);
 * - the durable endpoint, whose sockets the mock server serves with oRPC's peer protocol.
 */
export function mockDurableHandlers(server: MockDurableServer) {
  const durable = ws.link(MOCK_DURABLE_URL)
  return [
    http.post(`${MOCK_RPC_URL}/chat/onMessage`, async ({ request }) => {
      const body = (await request.json()) as { json?: { room?: unknown } } | null
      const answer = await server.answerTokenCall(body?.json)
      return HttpResponse.json({ json: answer.json }, { status: answer.status })
    }),
    durable.addEventListener('connection', (connection) => server.connect(connection)),
  ]
}
