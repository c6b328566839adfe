// @vitest-environment jsdom
import { ORPCError } from '@orpc/client'
import { act, cleanup, render, waitFor } from '@testing-library/react'
import { HttpResponse, http, passthrough } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DurableIteratorError, useDurableEventIterator } from '../../src'
import { startReferenceServer } from '../../src/server'
import {
  type ChatResult,
  createQueryClient,
  type Observer,
  observeFor,
  observer,
  providers,
  REFUSAL_MODES,
  recordStatus,
  startApp,
} from './harness'

const app = await startApp()
const tokenEndpoint = `${app.server.rpcUrl}/chat/onMessage`
const mock = setupServer()
const calls = { count: 0 }

beforeAll(() => mock.listen({ onUnhandledRequest: 'bypass' }))
afterEach(() => {
  cleanup()
  mock.resetHandlers()
  calls.count = 0
})
afterAll(async () => {
  mock.close()
  await app.server.close()
})

/** Answers the token procedure with `fault` while `active()` says so, then lets calls reach the real server. */
function tokenFault(fault: () => Response | Promise<Response>, active: () => boolean = () => true) {
  mock.use(
    http.post(tokenEndpoint, () => {
      calls.count++
      return active() ? fault() : passthrough()
    }),
  )
}

function orpcErrorResponse(code: string, status: number, message: string) {
  return HttpResponse.json({ json: { defined: false, code, status, message } }, { status })
}

function Chat({ room, seen }: { room: string; seen: Observer<ChatResult> }) {
  const result = useDurableEventIterator(app.orpc.chat.onMessage, { room })
  seen.result = result
  recordStatus(seen, result.status)
  return null
}

function renderChat(room: string, props: Partial<Parameters<typeof providers>[1]> = {}) {
  const seen = observer<ChatResult>()
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl, ...props })
  render(
    <Providers>
      <Chat room={room} seen={seen} />
    </Providers>,
  )
  return seen
}

it('a token procedure failing with 500 for 3 s: reconnecting with backoff, then open', async () => {
  const failUntil = Date.now() + 3000
  tokenFault(
    () => orpcErrorResponse('INTERNAL_SERVER_ERROR', 500, 'database is down'),
    () => Date.now() < failUntil,
  )
  const seen = renderChat('flaky')
  await waitFor(() => expect(seen.result?.error?.code).toBe('TOKEN_UNAVAILABLE'))
  expect(seen.result?.status).toBe('reconnecting')

  await waitFor(() => expect(seen.result?.status).toBe('open'), { timeout: 15_000 })
  // Backoff from 250 ms ×1.5 with at most 50% jitter allows at most 8 calls in 3 s, plus the one that succeeds.
  expect(calls.count).toBeLessThanOrEqual(9)
  expect(calls.count).toBeGreaterThanOrEqual(2)
  expect(seen.statuses).toEqual(['connecting', 'reconnecting', 'open'])
  expect(seen.result?.error).toBeUndefined()
})

it('a token procedure failing with UNAUTHORIZED: error with that cause, and no further calls until reconnect()', async () => {
  let refuse = true
  tokenFault(
    () => orpcErrorResponse('UNAUTHORIZED', 401, 'sign in first'),
    () => refuse,
  )
  const upgradesBefore = app.server.stats().upgradesAccepted
  const seen = renderChat('private')
  await waitFor(() => expect(seen.result?.status).toBe('error'))
  const error = seen.result!.error!
  expect(error).toBeInstanceOf(DurableIteratorError)
  expect(error.code).toBe('TOKEN_REFUSED')
  expect(error.message).toContain('chat.onMessage')
  expect(error.cause).toBeInstanceOf(ORPCError)
  expect((error.cause as ORPCError<string, unknown>).code).toBe('UNAUTHORIZED')

  await observeFor(1500)
  expect(calls.count).toBe(1)
  expect(app.server.stats().upgradesAccepted).toBe(upgradesBefore)

  refuse = false
  act(() => seen.result!.reconnect())
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  expect(calls.count).toBe(2)
})

it('a token procedure that hangs times out after tokenTimeoutMs and is retried', async () => {
  // The first call never answers; the retry is held until the test has seen the timeout, then goes through.
  let releaseRetry: () => void = () => {}
  const retryReleased = new Promise<void>((resolve) => {
    releaseRetry = resolve
  })
  mock.use(
    http.post(tokenEndpoint, async () => {
      calls.count++
      if (calls.count === 1) return new Promise<Response>(() => {})
      await retryReleased
      return passthrough()
    }),
  )
  const seen = renderChat('slow', { tokenTimeoutMs: 300 })
  await waitFor(() => expect(seen.result?.error?.code).toBe('TOKEN_TIMEOUT'))
  expect(seen.result?.status).toBe('reconnecting')
  await waitFor(() => expect(calls.count).toBe(2))

  releaseRetry()
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  expect(calls.count).toBe(2)
})

it('a token procedure that returns a malformed token: error whose message names the procedure', async () => {
  tokenFault(() => HttpResponse.json({ json: 'not-a-token' }))
  const seen = renderChat('broken')
  await waitFor(() => expect(seen.result?.status).toBe('error'))
  expect(seen.result?.error?.code).toBe('INVALID_TOKEN')
  expect(seen.result?.error?.message).toMatch(/"chat\.onMessage" returned a token that cannot be read/)
  await observeFor(1000)
  expect(calls.count).toBe(1)
})

it('reconnect.maxRetries counts each failed attempt once: after a 4001 expiry with the token procedure down, it gives up after that many retries', async () => {
  const shortLived = await startApp({ tokenTtlSeconds: 2 })
  try {
    let served = 0
    mock.use(
      http.post(`${shortLived.server.rpcUrl}/chat/onMessage`, () => {
        calls.count++
        return served++ === 0 ? passthrough() : orpcErrorResponse('INTERNAL_SERVER_ERROR', 500, 'down')
      }),
    )
    const seen = observer<ChatResult>()
    function ShortLivedChat() {
      const result = useDurableEventIterator(shortLived.orpc.chat.onMessage, { room: 'retries' })
      seen.result = result
      recordStatus(seen, result.status)
      return null
    }
    const Providers = providers(createQueryClient(), {
      url: shortLived.server.durableUrl,
      proactiveRefresh: false,
      reconnect: { maxRetries: 2, minDelayMs: 50 },
    })
    render(
      <Providers>
        <ShortLivedChat />
      </Providers>,
    )
    await waitFor(() => expect(seen.result?.status).toBe('open'))
    await waitFor(() => expect(seen.result?.status).toBe('error'), { timeout: 10_000 })
    expect(seen.result?.error?.code).toBe('MAX_RETRIES')
    expect(shortLived.server.stats().expiredCloses).toBe(1)
    // One token for the first connection, then exactly two retries; nothing more once it gave up.
    expect(calls.count).toBe(3)
    await observeFor(1000)
    expect(calls.count).toBe(3)
  } finally {
    await shortLived.server.close()
  }
})

describe.each(REFUSAL_MODES)('a hub that refuses upgrades with %s', (refuseUpgradesWith) => {
  it('refusing the tokens the procedure issues: error CONNECTION_REFUSED at once, naming the signing key, and nothing more', async () => {
    // Tokens come from one server, the socket goes to another with a different key: every upgrade is refused.
    const issuer = await startApp()
    const otherKeyServer = await startReferenceServer({
      signingKey: 'another-signing-key-that-is-long-enough-0123',
      refuseUpgradesWith,
    })
    try {
      const seen = observer<ChatResult>()
      function RefusedChat() {
        const result = useDurableEventIterator(issuer.orpc.chat.onMessage, { room: 'refused' })
        seen.result = result
        recordStatus(seen, result.status)
        return null
      }
      const Providers = providers(createQueryClient(), { url: otherKeyServer.durableUrl })
      render(
        <Providers>
          <RefusedChat />
        </Providers>,
      )
      await waitFor(() => expect(seen.result?.status).toBe('error'), { timeout: 10_000 })
      expect(seen.statuses).toEqual(['connecting', 'error'])
      expect(seen.result?.error?.code).toBe('CONNECTION_REFUSED')
      // Node's WebSocket reads the status of a refusal before the upgrade (browsers cannot: see tests/core).
      expect(seen.result?.error?.message).toMatch(refuseUpgradesWith === 'http-status' ? /HTTP 401/ : /bad signature/)
      expect(seen.result?.error?.message).toMatch(/signing key/)
      // The token was issued for that very attempt: a refusal, not a stale token, so no retry.
      expect(otherKeyServer.stats().upgradesRejected).toEqual({ 'bad signature': 1 })
      expect(issuer.tokenCalls.count).toBe(1)
      await observeFor(1000)
      expect(issuer.tokenCalls.count).toBe(1)
      expect(otherKeyServer.stats().upgradesRejected).toEqual({ 'bad signature': 1 })
    } finally {
      await otherKeyServer.close()
      await issuer.server.close()
    }
  })
})
