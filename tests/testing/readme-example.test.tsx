// @vitest-environment jsdom
// The README's "Testing your components" example, verbatim below this line: keep the two the same.
import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import { os, type RouterClient, type } from '@orpc/server'
import { RPCHandler } from '@orpc/server/fetch'
import { createTanstackQueryUtils } from '@orpc/tanstack-query'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { DurableIteratorProvider, useDurableEventIterator } from 'react-durable-iterator'
import { createDurableIteratorMock, type DurableIteratorMethodContext } from 'react-durable-iterator/testing'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'

interface ChatMessage {
  text: string
  from: string
}

// The component under test, as the app has it.
function Chat({ room }: { room: string }) {
  const { status, events, rpc } = useDurableEventIterator(orpc.chat.onMessage, { room })
  return (
    <>
      <p>Status: {status}</p>
      <ul>
        {events.map((message) => (
          <li key={`${message.from}: ${message.text}`}>
            {message.from}: {message.text}
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => rpc.sendMessage({ text: 'hi' })}>
        Send
      </button>
    </>
  )
}

// The stream's remote methods: the same oRPC router a hub would run.
const methods = {
  sendMessage: os
    .$context<DurableIteratorMethodContext>()
    .input(type<{ text: string }>())
    .handler(({ context, input }) => context.publish({ text: input.text, from: 'me' })),
}
const mock = createDurableIteratorMock({ url: 'ws://app.test/durable', methods })

// The app's token procedure, answered in the test by a real oRPC handler that issues the mock's tokens.
const router = {
  chat: {
    onMessage: os
      .input(type<{ room: string }>())
      .handler(({ input }) =>
        mock.issueToken<ChatMessage, typeof methods>(`chat:${input.room}`, { ttlSeconds: 60, rpc: ['sendMessage'] }),
      ),
  },
}
const rpcHandler = new RPCHandler(router)
// `fetch` looked up per call: msw patches the global one in `server.listen()`, after this module has loaded.
const link = new RPCLink({ url: 'http://app.test/rpc', fetch: (request, init) => fetch(request, init) })
const client: RouterClient<typeof router> = createORPCClient(link)
const orpc = createTanstackQueryUtils(client)

const server = setupServer(
  ...mock.handlers,
  http.all('http://app.test/rpc/*', async ({ request }) => {
    const { response } = await rpcHandler.handle(request, { prefix: '/rpc' })
    return response ?? HttpResponse.text('Not found', { status: 404 })
  }),
)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => cleanup())
afterAll(() => server.close())

function renderChat() {
  const queryClient = new QueryClient()
  render(
    <QueryClientProvider client={queryClient}>
      <DurableIteratorProvider url="ws://app.test/durable" reconnect={{ minDelayMs: 10, maxDelayMs: 50 }}>
        <Chat room="lobby" />
      </DurableIteratorProvider>
    </QueryClientProvider>,
  )
}

it('shows published messages, sends over the socket, and resumes after a drop without losing any', async () => {
  renderChat()
  await screen.findByText('Status: open')

  await mock.publish('chat:lobby', { text: 'welcome', from: 'system' })
  await screen.findByText('system: welcome')

  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
  await screen.findByText('me: hi')

  await mock.dropConnections()
  await mock.publish('chat:lobby', { text: 'while you were away', from: 'system' })
  await screen.findByText('system: while you were away')
  expect(screen.getAllByRole('listitem')).toHaveLength(3)

  const { upgradesAccepted, openSockets, tokensIssued } = await mock.stats()
  expect({ upgradesAccepted, openSockets, tokensIssued }).toEqual({
    upgradesAccepted: 2,
    openSockets: 1,
    tokensIssued: 1,
  })
})
