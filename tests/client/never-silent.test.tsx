// @vitest-environment jsdom
/**
 * Failures the hook must never hide: a throwing callback, a token endpoint hammered during an outage, and a
 * stream left refused after a user signs out and another signs in. Refused upgrades are in token-faults.
 */
import { act, cleanup, render, waitFor } from '@testing-library/react'
import { HttpResponse, http, passthrough } from 'msw'
import { setupServer } from 'msw/node'
import { useState } from 'react'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { type DurableIteratorError, useDurableEventIterator } from '../../src'
import {
  type ChatResult,
  createQueryClient,
  numbered,
  observer,
  providers,
  publishNumbered,
  recordStatus,
  startApp,
} from './harness'

const app = await startApp()
const tokenEndpoint = `${app.server.rpcUrl}/chat/onMessage`
const mock = setupServer()
beforeAll(() => mock.listen({ onUnhandledRequest: 'bypass' }))
afterEach(() => {
  cleanup()
  mock.resetHandlers()
})
afterAll(async () => {
  mock.close()
  await app.server.close()
})

it('an onEvent that throws: reported to onError, and every later event still arrives and renders', async () => {
  const seen = observer<ChatResult>()
  const failures: DurableIteratorError[] = []
  function Chat() {
    const result = useDurableEventIterator(
      app.orpc.chat.onMessage,
      { room: 'throws' },
      {
        maxEvents: 100,
        onEvent: (message) => {
          if (message.text === '3') throw new Error('a bug in the app')
          seen.received.push(message)
        },
        onError: (error) => failures.push(error),
      },
    )
    seen.result = result
    return null
  }
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl })
  render(
    <Providers>
      <Chat />
    </Providers>,
  )
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  await publishNumbered(app.server, 'chat:throws', { count: 10, intervalMs: 5 })
  await waitFor(() => expect(seen.result?.events).toHaveLength(10))
  expect(seen.result?.events.map((message) => message.text)).toEqual(numbered(10))
  expect(seen.received.map((message) => message.text)).toEqual(numbered(10).filter((text) => text !== '3'))
  expect(failures).toHaveLength(1)
  expect(failures[0]?.code).toBe('LISTENER_FAILED')
  expect(failures[0]?.cause).toMatchObject({ message: 'a bug in the app' })
  expect(seen.result?.status).toBe('open')
})

it('a 4 s outage of the whole server (stream and token endpoint) costs at most one token call, and loses nothing', async () => {
  const calls = { count: 0 }
  // Counts this stream's token calls only (streams of other tests may still linger on the same server).
  mock.use(
    http.post(tokenEndpoint, async ({ request }) => {
      const body = (await request.clone().json()) as { json?: { room?: string } }
      if (body.json?.room === 'outage') calls.count++
      return passthrough()
    }),
  )
  const seen = observer<ChatResult>()
  function Chat() {
    const result = useDurableEventIterator(
      app.orpc.chat.onMessage,
      { room: 'outage' },
      { maxEvents: 1000, onEvent: (message) => seen.received.push(message) },
    )
    seen.result = result
    return null
  }
  const Providers = providers(createQueryClient(), {
    url: app.server.durableUrl,
    reconnect: { minDelayMs: 50, maxDelayMs: 400 },
  })
  render(
    <Providers>
      <Chat />
    </Providers>,
  )
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  expect(calls.count).toBe(1)
  await publishNumbered(app.server, 'chat:outage', { count: 5, intervalMs: 5 })

  const outage = app.server.interrupt(4000)
  await waitFor(() => expect(seen.result?.status).toBe('reconnecting'))
  await publishNumbered(app.server, 'chat:outage', { count: 5, intervalMs: 5, from: 5 })
  await outage
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  await waitFor(() => expect(seen.received).toHaveLength(10))

  expect(seen.received.map((message) => message.text)).toEqual(numbered(10))
  // The attempts during the outage (about 10 at this backoff) took the cached, unexpired token.
  expect(calls.count).toBeLessThanOrEqual(2)
})

/** The token procedure answers UNAUTHORIZED, as to a signed-out user, unless `signedIn()`. */
function refuseTokensUnless(signedIn: () => boolean) {
  mock.use(
    http.post(tokenEndpoint, () =>
      signedIn()
        ? passthrough()
        : HttpResponse.json(
            { json: { defined: false, code: 'UNAUTHORIZED', status: 401, message: 'sign in first' } },
            { status: 401 },
          ),
    ),
  )
}

it('signed out, then another user signs in within lingerMs: no render shows the first user’s events, and the stream reopens without reconnect()', async () => {
  let signedIn = true
  refuseTokensUnless(() => signedIn)
  const queryClient = createQueryClient()
  const tokenKey = app.orpc.chat.onMessage.queryKey({ input: { room: 'accounts' } })
  const renders: Array<{ user: string; status: string; texts: string[] }> = []
  let setUser: (user: string | undefined) => void = () => {}
  function Chat({ user }: { user: string }) {
    const result = useDurableEventIterator(app.orpc.chat.onMessage, { room: 'accounts' })
    renders.push({ user, status: result.status, texts: result.events.map((message) => message.text) })
    return null
  }
  function App() {
    const [user, set] = useState<string | undefined>('alice')
    setUser = set
    return user ? <Chat user={user} /> : null
  }
  const Providers = providers(queryClient, { url: app.server.durableUrl, lingerMs: 5000 })
  render(
    <Providers>
      <App />
    </Providers>,
  )
  await waitFor(() => expect(renders.at(-1)?.status).toBe('open'))
  await publishNumbered(app.server, 'chat:accounts', { count: 3, intervalMs: 5 })
  await waitFor(() => expect(renders.at(-1)?.texts).toEqual(['0', '1', '2']))

  // Sign-out: the app drops the user and invalidates its tokens; the token procedure now refuses.
  signedIn = false
  act(() => setUser(undefined))
  await act(() => queryClient.invalidateQueries({ queryKey: tokenKey }))
  // Sign-in as another user, within lingerMs, invalidating the tokens again (already invalidated: no event).
  signedIn = true
  await act(() => queryClient.invalidateQueries({ queryKey: tokenKey }))
  act(() => setUser('bob'))
  await waitFor(() => expect(renders.at(-1)).toMatchObject({ user: 'bob', status: 'open' }))
  await publishNumbered(app.server, 'chat:accounts', { count: 1, intervalMs: 5, from: 100 })
  await waitFor(() => expect(renders.at(-1)?.texts).toEqual(['100']))

  const bobRenders = renders.filter((render) => render.user === 'bob')
  expect(bobRenders.every((render) => !render.texts.some((text) => ['0', '1', '2'].includes(text)))).toBe(true)
  expect(bobRenders[0]?.status).toBe('connecting')
})

it('a stream left in error by a refused token recovers when the app invalidates the token after sign-in, with no reconnect()', async () => {
  let signedIn = false
  refuseTokensUnless(() => signedIn)
  const queryClient = createQueryClient()
  const seen = observer<ChatResult>()
  function Chat() {
    seen.result = useDurableEventIterator(app.orpc.chat.onMessage, { room: 'later' })
    recordStatus(seen, seen.result.status)
    return null
  }
  const Providers = providers(queryClient, { url: app.server.durableUrl })
  render(
    <Providers>
      <Chat />
    </Providers>,
  )
  await waitFor(() => expect(seen.result?.error?.code).toBe('TOKEN_REFUSED'))
  signedIn = true
  await act(() => queryClient.invalidateQueries({ queryKey: app.orpc.chat.onMessage.key() }))
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  expect(seen.statuses).toEqual(['connecting', 'error', 'connecting', 'open'])
  expect(seen.result?.error).toBeUndefined()
})
