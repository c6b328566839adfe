/**
 * The README's complete server (examples/quick-start/server.ts, shown there verbatim), run as it is: a client signs in,
 * streams, sends a message, is refused a method its token does not allow, and is refused a token when signed out.
 */
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { createORPCClient, ORPCError } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import type { RouterClient } from '@orpc/server'
import { QueryClient } from '@tanstack/query-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createDurableConnection, durableIteratorTokenOptions } from '../../src/core'
import { createDurableIteratorHub } from '../../src/server'

type Example = typeof import('../../examples/quick-start/server')
let example: Example
let origin: string

beforeAll(async () => {
  process.env.DURABLE_ITERATOR_SIGNING_KEY = 'a-secret-of-at-least-32-bytes-for-the-readme-example'
  process.env.PORT = '0'
  example = await import('../../examples/quick-start/server')
  if (!example.server.listening) await new Promise((resolve) => example.server.once('listening', resolve))
  origin = `http://127.0.0.1:${(example.server.address() as AddressInfo).port}`
})
afterAll(() => new Promise((resolve) => example.server.close(resolve)))

function appClient(cookie?: string): RouterClient<Example['router']> {
  return createORPCClient(new RPCLink({ url: `${origin}/rpc`, headers: cookie ? { cookie } : {} }))
}

function stream(client: RouterClient<Example['router']>) {
  return createDurableConnection({
    queryClient: new QueryClient(),
    url: `${origin.replace('http', 'ws')}/durable`,
    WebSocket,
    tokenQuery: durableIteratorTokenOptions(client.chat.onMessage, { room: 'lobby' }, { queryKey: ['chat', 'lobby'] }),
  })
}

it('the README shows examples/quick-start/server.ts, verbatim', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const example = readFileSync(new URL('../../examples/quick-start/server.ts', import.meta.url), 'utf8').trimEnd()
  expect(readme).toContain(`\`\`\`ts\n${example}\n\`\`\``)
})

it('a signed-in user streams, sends a message, and is refused a method the token does not allow', async () => {
  const connection = stream(appClient('session=ada-session'))
  const texts: string[] = []
  connection.onEvent((event) => texts.push(`${(event as { from: string }).from}: ${(event as { text: string }).text}`))
  try {
    connection.start()
    await expect.poll(() => connection.getSnapshot().status, { timeout: 10_000 }).toBe('open')
    example.announce('lobby', 'welcome')
    const rpc = createORPCClient<{ sendMessage(input: { text: string }): Promise<void>; deleteRoom(): Promise<void> }>(
      connection.rpcLink,
    )
    await rpc.sendMessage({ text: 'hello' })
    await expect.poll(() => texts).toEqual(['system: welcome', 'Ada: hello'])
    const refused = await rpc.deleteRoom().catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(ORPCError)
    expect(refused).toMatchObject({ code: 'FORBIDDEN' })
  } finally {
    connection.dispose()
  }
})

it('without a session the token procedure refuses: the stream is in error, TOKEN_REFUSED', async () => {
  const connection = stream(appClient())
  try {
    connection.start()
    await expect.poll(() => connection.getSnapshot().error?.code, { timeout: 10_000 }).toBe('TOKEN_REFUSED')
    expect(connection.getSnapshot().error?.message).toMatch(/Sign in to read this room/)
  } finally {
    connection.dispose()
  }
})

it('a missing or short signing key stops the server at start, saying what it needs', () => {
  expect(() => createDurableIteratorHub({ signingKey: '' })).toThrow(
    'react-durable-iterator: signingKey must be at least 32 bytes for HS256 (got 0). Use a long random secret, e.g. `openssl rand -base64 48`.',
  )
})
