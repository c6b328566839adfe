// @vitest-environment jsdom
/**
 * useDurableEventIterator against the Durable Object: tokens come from the Worker's own token procedure, signed in
 * workerd with the Worker's key (as an app's Worker issues them), the stream from the object. Only the token
 * procedure's URL and the provider's `url` differ from the hook tests against the Node hub.
 */
import { act, cleanup, render, waitFor } from '@testing-library/react'
import { afterEach, expect, it } from 'vitest'
import { useDurableEventIterator } from '../../src'
import type { ChatMessage } from '../../src/server/reference-app'
import {
  type ChatResult,
  createQueryClient,
  numbered,
  type Observer,
  observeFor,
  observer,
  providers,
  recordStatus,
  routerClient,
  SIGNING_KEY,
} from '../client/harness'
import { FaultProxy } from '../support/fault-proxy'
import { startCloudflareHub } from './harness'
import type { WorkerTokenRouter } from './worker-tokens'

/** The Worker, and the app's client of its token procedures (counting the token calls). */
async function startApp({ tokenTtlSeconds = 60 } = {}) {
  const hub = await startCloudflareHub({ signingKey: SIGNING_KEY, tokenTtlSeconds })
  return { hub, ...routerClient<WorkerTokenRouter>(hub.rpcUrl) }
}

let app: Awaited<ReturnType<typeof startApp>> | undefined
afterEach(async () => {
  cleanup()
  await app?.hub.close()
  app = undefined
})

function Chat({ room, seen }: { room: string; seen: Observer<ChatResult> }) {
  seen.result = useDurableEventIterator(
    app!.orpc.chat.onMessage,
    { room },
    { maxEvents: 1000, onEvent: (message) => seen.received.push(message) },
  )
  recordStatus(seen, seen.result.status)
  return null
}

function chatMessage(text: string): ChatMessage {
  return { text, from: 'publisher', sentAtMs: Date.now() }
}

it('3 components share one stream from the object; rpc.sendMessage runs in the object and reaches all of them', async () => {
  app = await startApp()
  const { hub } = app
  const components = Array.from({ length: 3 }, () => observer<ChatResult>())
  const Providers = providers(createQueryClient(), { url: hub.durableUrl })
  render(
    <Providers>
      {components.map((seen, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list
        <Chat key={index} room="cf-lobby" seen={seen} />
      ))}
    </Providers>,
  )
  await waitFor(() => expect(components.every((seen) => seen.result?.status === 'open')).toBe(true))
  expect(app.tokenCalls.count).toBe(1)

  await act(() => components[0]!.result!.rpc.sendMessage({ text: 'hello from the object' }))
  await waitFor(() =>
    expect(components.every((seen) => seen.result?.events.at(-1)?.text === 'hello from the object')).toBe(true),
  )
  await hub.publish('chat:cf-lobby', chatMessage('published by a Worker'))
  await waitFor(() => expect(components[0]!.result?.events.at(-1)?.text).toBe('published by a Worker'))
  for (const seen of components) expect(seen.received.map((message) => message.text)).toHaveLength(2)
})

it('3 s tokens refresh in-band over the object’s socket: 7 s open without a reconnect, events keep flowing', {
  timeout: 20_000,
}, async () => {
  app = await startApp({ tokenTtlSeconds: 3 })
  const { hub } = app
  // Through a relay that counts connections: a reconnect, however brief, would be a second one.
  const relay = await FaultProxy.start(hub.durableUrl)
  const seen = observer<ChatResult>()
  const Providers = providers(createQueryClient(), { url: relay.via(hub.durableUrl), refreshBeforeExpirySeconds: 1 })
  try {
    render(
      <Providers>
        <Chat room="cf-refresh" seen={seen} />
      </Providers>,
    )
    await waitFor(() => expect(seen.result?.status).toBe('open'))
    for (let second = 0; second < 7; second++) {
      await hub.publish('chat:cf-refresh', chatMessage(String(second)))
      await observeFor(1000)
    }
    await waitFor(() => expect(seen.received).toHaveLength(7))
    expect(seen.received.map((message) => message.text)).toEqual(numbered(7))
    // Every status the component rendered, from its first render: never anything but open once open.
    expect(seen.statuses).toEqual(['connecting', 'open'])
    expect(relay.connectionsRelayed).toBe(1)
    // One token to connect, then about one per refresh (every ~2 s), each handed to the live socket.
    expect(app.tokenCalls.count).toBeGreaterThanOrEqual(3)
  } finally {
    await relay.close()
  }
})

it('resumes from the last event id after a reconnect: events published meanwhile arrive once, in order', async () => {
  app = await startApp()
  const { hub } = app
  const seen = observer<ChatResult>()
  const Providers = providers(createQueryClient(), { url: hub.durableUrl })
  render(
    <Providers>
      <Chat room="cf-resume" seen={seen} />
    </Providers>,
  )
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  for (let n = 0; n < 5; n++) await hub.publish('chat:cf-resume', chatMessage(String(n)))
  await waitFor(() => expect(seen.received).toHaveLength(5))

  act(() => seen.result!.reconnect())
  for (let n = 5; n < 10; n++) await hub.publish('chat:cf-resume', chatMessage(String(n)))
  await waitFor(() => expect(seen.result?.status).toBe('open'))
  for (let n = 10; n < 15; n++) await hub.publish('chat:cf-resume', chatMessage(String(n)))

  await waitFor(() => expect(seen.received).toHaveLength(15))
  await observeFor(200)
  expect(seen.received.map((message) => message.text)).toEqual(numbered(15))
})

it('without proactive refresh, the object closes at expiry (4001) and the next attempt uses a fresh token, losing nothing', {
  timeout: 20_000,
}, async () => {
  app = await startApp({ tokenTtlSeconds: 2 })
  const { hub } = app
  const seen = observer<ChatResult>()
  const Providers = providers(createQueryClient(), {
    url: hub.durableUrl,
    proactiveRefresh: false,
    refreshBeforeExpirySeconds: 1,
  })
  render(
    <Providers>
      <Chat room="cf-expiry" seen={seen} />
    </Providers>,
  )
  await waitFor(() => expect(seen.result?.status).toBe('open'))

  // About 4 s of events spans at least one expiry.
  for (let n = 0; n < 80; n++) {
    await hub.publish('chat:cf-expiry', chatMessage(String(n)))
    await observeFor(50)
  }
  await waitFor(() => expect(seen.received).toHaveLength(80))
  await observeFor(200)

  expect(seen.received.map((message) => message.text)).toEqual(numbered(80))
  expect(seen.statuses).toContain('reconnecting')
  expect(app.tokenCalls.count).toBeGreaterThanOrEqual(2)
})
