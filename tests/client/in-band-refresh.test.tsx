// @vitest-environment jsdom
import { cleanup, render, waitFor } from '@testing-library/react'
import { afterEach, expect, it } from 'vitest'
import { durableIteratorTokenOptions, useDurableEventIterator } from '../../src'
import {
  type ChatResult,
  createQueryClient,
  numbered,
  type Observer,
  observer,
  providers,
  publishNumbered,
  startApp,
} from './harness'

let app: Awaited<ReturnType<typeof startApp>> | undefined
afterEach(async () => {
  cleanup()
  await app?.server.close()
})

function Chat({ room, seen }: { room: string; seen: Observer<ChatResult> }) {
  seen.result = useDurableEventIterator(
    app!.orpc.chat.onMessage,
    { room },
    { maxEvents: 1000, onEvent: (message) => seen.received.push(message) },
  )
  return null
}

it('20 components, 4 s tokens, 15 s of events at 50/s: one token per refresh cycle, 0 reconnects, every event once and in order', {
  timeout: 40_000,
}, async () => {
  app = await startApp({ tokenTtlSeconds: 4 })
  const components = Array.from({ length: 20 }, () => observer<ChatResult>())
  const Providers = providers(createQueryClient(), { url: app.server.durableUrl, refreshBeforeExpirySeconds: 1 })
  render(
    <Providers>
      {components.map((seen, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list
        <Chat key={index} room="busy" seen={seen} />
      ))}
    </Providers>,
  )
  await waitFor(() => expect(components.every((seen) => seen.result?.status === 'open')).toBe(true))

  await publishNumbered(app.server, 'chat:busy', { count: 750, intervalMs: 20 })
  const expected = numbered(750)
  await waitFor(() => expect(components[0]!.received).toHaveLength(750))

  for (const seen of components) expect(seen.received.map((message) => message.text)).toEqual(expected)
  const stats = app.server.stats()
  expect(stats.upgradesAccepted).toBe(1)
  expect(stats.expiredCloses).toBe(0)
  expect(stats.tokenUpdates).toBeGreaterThanOrEqual(3)
  expect(stats.tokensIssued).toBeLessThanOrEqual(9)
  expect(stats.tokensIssued).toBe(stats.tokenUpdates + 1)
})

it('invalidating the token query makes the stream switch to a new token in-band (logout, role change)', async () => {
  app = await startApp({ tokenTtlSeconds: 600 })
  const queryClient = createQueryClient()
  const seen = observer<ChatResult>()
  const Providers = providers(queryClient, { url: app.server.durableUrl })
  render(
    <Providers>
      <Chat room="roles" seen={seen} />
    </Providers>,
  )
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  const tokenKey = durableIteratorTokenOptions(app.orpc.chat.onMessage, { room: 'roles' }).queryKey
  const firstToken = queryClient.getQueryData(tokenKey)
  expect(typeof firstToken).toBe('string')

  await queryClient.invalidateQueries({ queryKey: tokenKey })

  await waitFor(() => expect(app!.server.stats().tokenUpdates).toBe(1))
  expect(queryClient.getQueryData(tokenKey)).not.toBe(firstToken)
  expect(app.server.stats()).toMatchObject({ tokensIssued: 2, upgradesAccepted: 1 })
  expect(seen.result?.status).toBe('open')
})
