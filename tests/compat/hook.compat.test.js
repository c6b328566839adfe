// @vitest-environment jsdom
// Run by scripts/check-install.mjs inside a fresh app that installed the packed package with one set of versions
// (React, TanStack Query, oRPC, jose, ws at the oldest or the newest of the package's ranges). Plain JavaScript and
// createElement: the app has no TypeScript or JSX set-up, as the hook must not need one. The server is the
// package's own bin, in its own process, as an app would run it next to its page.
import { spawn } from 'node:child_process'
import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { act, cleanup, render, waitFor } from '@testing-library/react'
import { createElement } from 'react'
import { DurableIteratorProvider, useDurableEventIterator } from 'react-durable-iterator'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import WebSocket from 'ws'

let server
let urls
beforeAll(async () => {
  server = spawn('node_modules/.bin/react-durable-iterator-server', ['--port', '0', '--token-ttl', '3'])
  urls = await new Promise((resolve, reject) => {
    let output = ''
    server.stdout.on('data', (chunk) => {
      output += chunk
      const rpcUrl = output.match(/oRPC \(HTTP\):\s+(\S+)/)?.[1]
      const durableUrl = output.match(/durable socket:\s+(\S+)/)?.[1]
      if (rpcUrl && durableUrl) resolve({ rpcUrl, durableUrl })
    })
    server.once('exit', (code) => reject(new Error(`the reference server exited (${code}): ${output}`)))
  })
})
afterAll(() => server?.kill())
afterEach(cleanup)

it('two components share one stream, get the events, call a method, and refresh 3 s tokens in-band', async () => {
  const client = createORPCClient(new RPCLink({ url: urls.rpcUrl }))
  const seen = []
  const statuses = []
  function Chat({ index }) {
    const result = useDurableEventIterator(client.chat.onMessage, { room: 'compat' }, { queryKey: ['chat', 'compat'] })
    seen[index] = result
    if (index === 0 && statuses.at(-1) !== result.status) statuses.push(result.status)
    return null
  }
  render(
    createElement(
      QueryClientProvider,
      { client: new QueryClient() },
      createElement(
        DurableIteratorProvider,
        { url: urls.durableUrl, WebSocket, refreshBeforeExpirySeconds: 1 },
        createElement(Chat, { index: 0 }),
        createElement(Chat, { index: 1 }),
      ),
    ),
  )
  // The errors, not only the statuses: a failure here says why the stream did not open.
  await waitFor(
    () => expect(seen.map((result) => result?.error?.message ?? result?.status)).toEqual(['open', 'open']),
    {
      timeout: 10_000,
    },
  )
  await act(() => seen[0].rpc.sendMessage({ text: 'hello' }))
  await waitFor(() => expect(seen[1].events.at(-1)?.text).toBe('hello'))
  // Two token lifetimes: the token was replaced over the live socket, and the stream never left `open`.
  const firstExpiry = seen[0].tokenExpiresAt
  await waitFor(() => expect(seen[0].tokenExpiresAt).toBeGreaterThan(firstExpiry), { timeout: 10_000 })
  expect(statuses).toEqual(['connecting', 'open'])
})
