import { mkdirSync, writeFileSync } from 'node:fs'
import { act, cleanup, render, waitFor } from '@testing-library/react'
import { useState } from 'react'
import { expect, it } from 'vitest'
import { useDurableEventIterator } from '../src'
import { createQueryClient, providers, startApp } from '../tests/client/harness'
import { FaultProxy } from '../tests/support/fault-proxy'

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600)
const ROOMS = ['a', 'b', 'c']
const EVENTS_PER_SECOND_PER_ROOM = 50

/** Timers created by this package or partysocket that have not fired or been cleared. */
function trackOwnTimers() {
  const pending = new Set<unknown>()
  const original = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout }
  const isOurs = () => /\/src\/|partysocket/.test(new Error().stack?.split('\n')[2] ?? '')
  globalThis.setTimeout = ((handler: () => void, delay?: number, ...args: unknown[]) => {
    if (!isOurs()) return original.setTimeout(handler, delay, ...args)
    const id = original.setTimeout(() => {
      pending.delete(id)
      handler()
    }, delay)
    pending.add(id)
    return id
  }) as typeof setTimeout
  globalThis.clearTimeout = ((id: Parameters<typeof clearTimeout>[0]) => {
    pending.delete(id)
    original.clearTimeout(id)
  }) as typeof clearTimeout
  return { pending: () => pending.size, restore: () => Object.assign(globalThis, original) }
}

it(`soak: ${SECONDS} s of drops, token refreshes and mounts/unmounts`, async () => {
  const timers = trackOwnTimers()
  const app = await startApp({ tokenTtlSeconds: 4 })
  const proxy = await FaultProxy.start(app.server.durableUrl)
  // Per room: every event id a mounted observer received, to count losses and duplicates.
  const received = new Map(ROOMS.map((room) => [room, [] as number[]]))
  const published = new Map(ROOMS.map((room) => [room, 0]))

  // One permanent observer per room counts every event; churned components come and go beside it.
  function Observer({ room }: { room: string }) {
    useDurableEventIterator(
      app.orpc.chat.onMessage,
      { room },
      { onEvent: (message) => received.get(room)?.push(Number(message.text)) },
    )
    return null
  }
  function Churned({ room }: { room: string }) {
    useDurableEventIterator(app.orpc.chat.onMessage, { room: `${room}-churn` })
    return null
  }
  let setChurn: (churn: string[]) => void = () => {}
  function Tree() {
    const [churn, set] = useState<string[]>([])
    setChurn = set
    return (
      <>
        {ROOMS.map((room) => (
          <Observer key={room} room={room} />
        ))}
        {churn.map((room, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: churned list
          <Churned key={index} room={room} />
        ))}
      </>
    )
  }
  const Providers = providers(createQueryClient(), {
    url: proxy.via(app.server.durableUrl),
    refreshBeforeExpirySeconds: 1,
    lingerMs: 50,
  })
  render(
    <Providers>
      <Tree />
    </Providers>,
  )
  await waitFor(() => expect(app.server.stats().openSockets).toBe(ROOMS.length))

  const heap: Array<{ second: number; heapMB: number; openSockets: number }> = []
  const publisher = setInterval(() => {
    for (const room of ROOMS) {
      const next = published.get(room) ?? 0
      app.server.publish(`chat:${room}`, { text: String(next), from: 'soak', sentAtMs: Date.now() })
      published.set(room, next + 1)
    }
  }, 1000 / EVENTS_PER_SECOND_PER_ROOM)
  let drops = 0
  let mounts = 0
  for (let second = 1; second <= SECONDS; second++) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    act(() => {
      const churn = Array.from({ length: second % 7 }, (_, index) => ROOMS[index % ROOMS.length] as string)
      mounts += churn.length
      setChurn(churn)
    })
    if (second % 5 === 0 && second < SECONDS) {
      proxy.drop()
      drops++
    }
    if (second % 30 === 0 || second === SECONDS) {
      heap.push({
        second,
        heapMB: Math.round(process.memoryUsage().heapUsed / 1e5) / 10,
        openSockets: app.server.stats().openSockets,
      })
    }
  }
  clearInterval(publisher)
  for (const room of ROOMS) {
    await waitFor(() => expect(received.get(room)?.length ?? 0).toBeGreaterThanOrEqual(published.get(room) ?? 0), {
      timeout: 30_000,
    })
  }
  cleanup()
  await waitFor(() => expect(app.server.stats().openSockets).toBe(0), { timeout: 10_000 })
  await waitFor(() => expect(timers.pending()).toBe(0), { timeout: 10_000 }).catch(() => {})
  // Zero could be a passing moment: give any straggler a second to show up before counting leaks.
  await new Promise((resolve) => setTimeout(resolve, 1000))

  const rooms = ROOMS.map((room) => {
    const ids = received.get(room) ?? []
    const unique = new Set(ids)
    const total = published.get(room) ?? 0
    return { room, published: total, lost: total - unique.size, duplicated: ids.length - unique.size }
  })
  const report = {
    seconds: SECONDS,
    drops,
    mounts,
    tokensIssued: app.server.stats().tokensIssued,
    tokenUpdates: app.server.stats().tokenUpdates,
    upgradesAccepted: app.server.stats().upgradesAccepted,
    rooms,
    leakedSockets: app.server.stats().openSockets,
    leakedTimers: timers.pending(),
    heap,
  }
  mkdirSync('artifacts', { recursive: true })
  writeFileSync('artifacts/soak.json', `${JSON.stringify(report, null, 2)}\n`)
  console.log(JSON.stringify(report, null, 2))
  timers.restore()
  await proxy.close()
  await app.server.close()

  for (const room of rooms) expect(room).toMatchObject({ lost: 0, duplicated: 0 })
  expect(report.leakedSockets).toBe(0)
  expect(report.leakedTimers).toBe(0)
})
