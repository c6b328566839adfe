// Run by scripts/check-install.mjs (see hook.compat.test.js): the framework-free core entry, in plain Node.
import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import { QueryClient } from '@tanstack/query-core'
import { createDurableConnection, durableIteratorTokenOptions } from 'react-durable-iterator/core'
import { startReferenceServer } from 'react-durable-iterator/server'
import { expect, it } from 'vitest'
import WebSocket from 'ws'

it('streams from the reference server with react-durable-iterator/core, no React', async () => {
  const server = await startReferenceServer({ signingKey: 'compat-signing-key-that-is-long-enough!!' })
  const client = createORPCClient(new RPCLink({ url: server.rpcUrl }))
  const connection = createDurableConnection({
    queryClient: new QueryClient(),
    url: server.durableUrl,
    WebSocket,
    tokenQuery: durableIteratorTokenOptions(client.chat.onMessage, { room: 'core' }, { queryKey: ['chat', 'core'] }),
  })
  const received = []
  connection.onEvent((event) => received.push(event.text))
  try {
    connection.start()
    await expect.poll(() => connection.getSnapshot().status, { timeout: 10_000 }).toBe('open')
    for (const text of ['one', 'two', 'three'])
      server.publish('chat:core', { text, from: 'node', sentAtMs: Date.now() })
    await expect.poll(() => received).toEqual(['one', 'two', 'three'])
  } finally {
    connection.dispose()
    await server.close()
  }
})
