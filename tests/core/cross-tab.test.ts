/**
 * Tabs sharing one stream (`shareAcrossTabs`), driven step by step: a fake browser (BroadcastChannel and Web Locks
 * in one process, tabs that can be paused), a scripted server on fake sockets and fake timers, so each hand-off
 * happens exactly as written. The same cases run in a real Chromium in tests/e2e/tabs.test.ts.
 */
import { getEventMeta } from '@orpc/client'
import { QueryClient } from '@tanstack/query-core'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { createDurableConnection, type DurableConnection, durableIteratorTokenOptions } from '../../src/core'
import { acrossTabs } from '../../src/tabs'
import { FakeDurableServer } from './fake-durable-server'
import { FakeBrowser } from './fake-tabs'
import { DURABLE_URL, TokenDesk } from './token-desk'

type Message = { text: string }
interface Tab {
  name: string
  connection: DurableConnection<Message>
  queryClient: QueryClient
  /** Ids of the events this tab's `onEvent` got, in order. */
  received: string[]
}

let browser: FakeBrowser
let server: FakeDurableServer
let desk: TokenDesk
const tabs: Tab[] = []

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
  browser = new FakeBrowser()
  server = new FakeDurableServer()
  desk = new TokenDesk()
  vi.stubGlobal('BroadcastChannel', browser.BroadcastChannel)
  vi.stubGlobal('navigator', browser.navigator)
})
afterEach(() => {
  for (const tab of tabs.splice(0)) tab.connection.dispose()
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

const settle = () => vi.advanceTimersByTimeAsync(0)

/** A tab of the app: its own TanStack Query cache, the same token procedure and server as every other tab. */
function openTab(name: string): Tab {
  const queryClient = new QueryClient()
  const connection = browser.openTab(name, () =>
    createDurableConnection<Message>({
      url: DURABLE_URL,
      WebSocket: server.WebSocket,
      heartbeat: false,
      reconnect: { jitter: 0 },
      queryClient,
      shareAcrossTabs: acrossTabs,
      tokenQuery: durableIteratorTokenOptions(desk.procedure, undefined, { queryKey: ['durable-token', 'lobby'] }),
    }),
  )
  const tab: Tab = { name, connection, queryClient, received: [] }
  connection.onEvent((event) => tab.received.push(String(getEventMeta(event)?.id)))
  connection.start()
  tabs.push(tab)
  return tab
}

function tokenFetches(tab: Tab): number {
  return tab.queryClient.getQueryState(['durable-token', 'lobby'])?.dataUpdateCount ?? 0
}

/** Three tabs on one stream, the first leading with an open socket, each having seen events 1 and 2. */
async function threeTabs(): Promise<[Tab, Tab, Tab]> {
  const opened: [Tab, Tab, Tab] = [openTab('A'), openTab('B'), openTab('C')]
  await settle()
  server.latest.accept()
  await settle()
  server.publish({ text: 'one' })
  server.publish({ text: 'two' })
  await settle()
  for (const tab of opened) expect(tab.received).toEqual(['1', '2'])
  return opened
}

/** The locks a tab took from another. */
const steals = () => browser.locks.grants.filter((grant) => grant.stolen)

function ids(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, index) => String(from + index))
}

it('tabs on one stream share one socket and one token; every tab has the same status and events, once, in order', async () => {
  const [leader, ...followers] = await threeTabs()
  expect(server.sockets).toHaveLength(1)
  expect(desk.calls).toBe(1)
  expect(tokenFetches(leader)).toBe(1)
  for (const tab of followers) {
    expect(tokenFetches(tab)).toBe(0)
    expect(tab.connection.getSnapshot()).toMatchObject({ status: 'open', lastEventId: '2' })
  }
})

it('the leading tab closes: the next one resumes from the newest event id, and no tab loses or repeats an event', async () => {
  const [leader, next, last] = await threeTabs()
  leader.connection.dispose()
  tabs.splice(tabs.indexOf(leader), 1)
  // Published while no tab holds a socket: the new leader's subscription replays them.
  server.publish({ text: 'three' })
  server.publish({ text: 'four' })
  const socket = await server.nextSocket()
  expect(server.sockets[0]?.closedByClient).toBeDefined()
  socket.accept()
  await settle()
  expect(server.subscribes.at(-1)).toEqual({ lastEventId: '2' })
  server.publish({ text: 'five' })
  await settle()
  for (const tab of [next, last]) expect(tab.received).toEqual(ids(1, 5))
  expect(tokenFetches(next)).toBe(1)
  expect(tokenFetches(last)).toBe(0)
})

it('a leading tab that stops running is replaced after its silence, and the others miss nothing', async () => {
  const [leader, ...followers] = await threeTabs()
  browser.pause('A')
  server.publish({ text: 'three' })
  await vi.advanceTimersByTimeAsync(3000)
  expect(server.sockets).toHaveLength(1)
  await vi.advanceTimersByTimeAsync(1000)
  // One follower took the lock (stole it) and opened its own socket, resuming after the last event it had.
  expect(steals()).toHaveLength(1)
  ;(await server.nextSocket()).accept()
  await settle()
  expect(server.sockets).toHaveLength(2)
  expect(server.subscribes.at(-1)).toEqual({ lastEventId: '2' })
  server.publish({ text: 'four' })
  await settle()
  for (const tab of followers) expect(tab.received).toEqual(ids(1, 4))
  expect(followers.filter((tab) => tokenFetches(tab) > 0)).toHaveLength(1)
  // The replaced tab found out it lost the lock: it closed its socket and follows.
  expect(server.sockets[0]?.closedByClient).toBeDefined()
  browser.resume('A')
  server.publish({ text: 'five' })
  await settle()
  expect(leader.received).toEqual(ids(1, 5))
  expect(server.sockets).toHaveLength(2)
})

it('of the tabs that notice the silence at once, one takes over and the others follow it', async () => {
  const [, ...followers] = await threeTabs()
  browser.pause('A')
  await vi.advanceTimersByTimeAsync(3000)
  // Neither follower hears the other in time: each decides on its own that the leader is gone.
  browser.pause('B')
  browser.pause('C')
  await vi.advanceTimersByTimeAsync(1000)
  for (const tab of ['A', 'B', 'C']) browser.resume(tab)
  await vi.advanceTimersByTimeAsync(5000)
  expect(steals()).toHaveLength(1)
  expect(server.sockets).toHaveLength(2)
  expect(followers.filter((tab) => tokenFetches(tab) > 0)).toHaveLength(1)
  server.latest.accept()
  await settle()
  server.publish({ text: 'three' })
  await settle()
  for (const tab of followers) expect(tab.received).toEqual(ids(1, 3))
})

it('a following tab that could not run for a while does not take the stream from a leader that is fine', async () => {
  const [leader, follower] = await threeTabs()
  // The follower is paused (frozen, or stopped in a debugger) for ten seconds. When it runs again, its timer may fire
  // before it has read what the leader sent meanwhile.
  browser.pause('B')
  vi.setSystemTime(Date.now() + 10_000)
  await vi.advanceTimersByTimeAsync(1000)
  browser.resume('B')
  await vi.advanceTimersByTimeAsync(5000)
  expect(steals()).toHaveLength(0)
  expect(server.sockets).toHaveLength(1)
  expect(desk.calls).toBe(1)
  expect(tokenFetches(follower)).toBe(0)
  server.publish({ text: 'three' })
  await settle()
  expect(follower.received).toEqual(ids(1, 3))
  expect(leader.connection.getSnapshot().status).toBe('open')
})

it("a replaced leader's late messages are ignored: a remote call in flight through the new leader is not abandoned", async () => {
  const [, follower, caller] = await threeTabs()
  browser.pause('A')
  await vi.advanceTimersByTimeAsync(4000)
  expect(steals()).toHaveLength(1)
  ;(await server.nextSocket()).accept()
  await settle()
  expect(follower.connection.getSnapshot().status).toBe('open')
  // The new leader's socket stops answering, so the call stays in flight.
  server.stalled.add(server.latest)
  const outcome = { settled: false }
  caller.connection.rpcLink.call(['sendMessage'], { text: 'hi' }, { context: {} }).then(
    () => (outcome.settled = true),
    () => (outcome.settled = true),
  )
  await settle()
  // What the replaced tab sent before it stopped (its state, with its older term) arrives now.
  browser.resume('A')
  await settle()
  expect(outcome.settled).toBe(false)
  expect(follower.connection.getSnapshot().status).toBe('open')
})
