// @vitest-environment jsdom
// Run by scripts/check-install.mjs (see hook.compat.test.js): react-durable-iterator/testing with that app's msw,
// the README's component test in plain JavaScript.
import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import { os } from '@orpc/server'
import { RPCHandler } from '@orpc/server/fetch'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { act, cleanup, render, screen } from '@testing-library/react'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { createElement } from 'react'
import { DurableIteratorProvider, useDurableEventIterator } from 'react-durable-iterator'
import { createDurableIteratorMock } from 'react-durable-iterator/testing'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'

const methods = { sendMessage: os.handler(({ context, input }) => context.publish({ text: input.text, from: 'me' })) }
const mock = createDurableIteratorMock({ url: 'ws://app.test/durable', methods })
const router = {
  chat: {
    onMessage: os.handler(({ input }) =>
      mock.issueToken(`chat:${input.room}`, { ttlSeconds: 60, rpc: ['sendMessage'] }),
    ),
  },
}
const rpcHandler = new RPCHandler(router)
const client = createORPCClient(
  new RPCLink({ url: 'http://app.test/rpc', fetch: (request, init) => fetch(request, init) }),
)
const server = setupServer(
  ...mock.handlers,
  http.all('http://app.test/rpc/*', async ({ request }) => {
    const { response } = await rpcHandler.handle(request, { prefix: '/rpc' })
    return response ?? HttpResponse.text('Not found', { status: 404 })
  }),
)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(cleanup)
afterAll(() => server.close())

it('a component streams from the mock, sends over its socket, and resumes after a drop', async () => {
  let rpc
  function Chat() {
    const result = useDurableEventIterator(client.chat.onMessage, { room: 'lobby' }, { queryKey: ['chat', 'lobby'] })
    rpc = result.rpc
    return createElement(
      'div',
      null,
      createElement('p', null, `Status: ${result.status}`),
      ...result.events.map((message) => createElement('p', { key: message.text }, `${message.from}: ${message.text}`)),
    )
  }
  render(
    createElement(
      QueryClientProvider,
      { client: new QueryClient() },
      createElement(
        DurableIteratorProvider,
        { url: 'ws://app.test/durable', reconnect: { minDelayMs: 10 } },
        createElement(Chat),
      ),
    ),
  )
  await screen.findByText('Status: open')
  await mock.publish('chat:lobby', { text: 'welcome', from: 'system' })
  await screen.findByText('system: welcome')
  await act(() => rpc.sendMessage({ text: 'hi' }))
  await screen.findByText('me: hi')
  await mock.dropConnections()
  await mock.publish('chat:lobby', { text: 'while you were away', from: 'system' })
  await screen.findByText('system: while you were away')
  expect((await mock.stats()).upgradesAccepted).toBe(2)
})
