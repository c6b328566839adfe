import { HttpResponse, http } from 'msw'
import { MOCK_RPC_URL } from './chat-api'
import type { StoryServer } from './story-server'

/**
 * The msw handlers that put a story's server behind the app's endpoints:
 * - the token procedure, on oRPC's fetch RPCLink wire: `POST <rpcUrl>/chat/onMessage` with `{"json": input}`,
 *   answered with `{"json": output}` (or an error body and its HTTP status);
 * - the durable endpoint: the testing mock's own handlers.
 */
export function storyHandlers(server: StoryServer) {
  return [
    http.post(`${MOCK_RPC_URL}/chat/onMessage`, async ({ request }) => {
      const body = (await request.json()) as { json?: { room?: unknown } } | null
      const answer = await server.answerTokenCall(body?.json)
      return HttpResponse.json({ json: answer.json }, { status: answer.status })
    }),
    ...server.mock.handlers,
  ]
}
