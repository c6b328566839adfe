import { afterEach, describe, expect, it } from 'vitest'
import type { HubServer } from './harness'
import { Cleanup, EventCollector, openDurableClient, startHubServer, subscribe, waitFor } from './harness'

type Numbered = { n: number }

describe('resume after a dropped connection', () => {
  const cleanup = new Cleanup()
  afterEach(() => cleanup.run())

  async function hubServer(options: { resumeMaxEvents?: number } = {}): Promise<HubServer<Record<never, never>>> {
    const server = await startHubServer(options)
    cleanup.add(() => server.close())
    return server
  }

  function expectEachOnceInOrder(events: EventCollector<Numbered>, count: number): void {
    expect(events.values.map((value) => value.n)).toEqual(Array.from({ length: count }, (_, i) => i))
    const ids = events.events.map((event) => Number(event.id))
    expect(new Set(ids).size).toBe(ids.length)
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1] as number)
  }

  it('receives every event exactly once and in order across drops, while publishing continues', async () => {
    const { hub, durableUrl } = await hubServer()
    const token = await hub.issueToken('feed:resume')
    const connection = openDurableClient(cleanup, durableUrl, token)
    const events = await subscribe<Numbered>(cleanup, connection, { retry: Number.POSITIVE_INFINITY })
    await waitFor(() => hub.subscriberCount('feed:resume') === 1, 'the subscription to reach the hub')

    let n = 0
    const publishNext = () => hub.publish('feed:resume', { n: n++ })
    for (let i = 0; i < 10; i++) publishNext()
    await events.waitForCount(10)

    // A publisher that keeps going through both drops and reconnects.
    const publisher = setInterval(publishNext, 2)
    cleanup.add(() => clearInterval(publisher))
    try {
      for (let drop = 1; drop <= 2; drop++) {
        const acceptedBefore = hub.stats().upgradesAccepted
        expect(hub.dropConnections()).toBe(1)
        // Published synchronously after the cut, before the client can be back: these must be replayed.
        for (let i = 0; i < 5; i++) publishNext()
        await waitFor(() => hub.stats().upgradesAccepted > acceptedBefore, `the client to reconnect after drop ${drop}`)
        await waitFor(() => hub.subscriberCount('feed:resume') === 1, `the subscription to resume after drop ${drop}`)
        const received = events.events.length
        await waitFor(() => events.events.length > received + 5, `live events to flow after drop ${drop}`)
      }
    } finally {
      clearInterval(publisher)
    }
    for (let i = 0; i < 5; i++) publishNext()

    await events.waitForCount(n)
    expectEachOnceInOrder(events, n)
    // Nothing beyond what was published arrives late.
    publishNext()
    await events.waitForCount(n)
    expectEachOnceInOrder(events, n)
    const stats = hub.stats()
    expect(stats.eventsReplayed).toBeGreaterThanOrEqual(10)
    expect(stats.resumeGaps).toBe(0)
  })

  it('replays only the events after the given last event id', async () => {
    const { hub, durableUrl } = await hubServer()
    const token = await hub.issueToken('feed:from-id')
    const first = openDurableClient(cleanup, durableUrl, token)
    const firstEvents = await subscribe<Numbered>(cleanup, first)
    await waitFor(() => hub.subscriberCount('feed:from-id') === 1, 'the first subscription to reach the hub')
    for (let n = 0; n < 6; n++) hub.publish('feed:from-id', { n })
    const seen = await firstEvents.waitForCount(6)
    const lastEventId = seen[2]?.id

    const second = openDurableClient(cleanup, durableUrl, token)
    const replay = new EventCollector<Numbered>(await second.client.subscribe(undefined, { lastEventId }))
    cleanup.add(() => replay.stop())
    await replay.waitForCount(3, 'replayed events')
    expect(replay.values).toEqual([{ n: 3 }, { n: 4 }, { n: 5 }])
    expect(hub.stats().eventsReplayed).toBe(3)
    expect(hub.stats().resumeGaps).toBe(0)
  })

  it('counts a resume gap when the last event id is older than the retention', async () => {
    const { hub, durableUrl } = await hubServer({ resumeMaxEvents: 3 })
    const token = await hub.issueToken('feed:gap')
    const connection = openDurableClient(cleanup, durableUrl, token)
    const events = await subscribe<Numbered>(cleanup, connection, { retry: Number.POSITIVE_INFINITY })
    await waitFor(() => hub.subscriberCount('feed:gap') === 1, 'the subscription to reach the hub')
    hub.publish('feed:gap', { n: 0 })
    await events.waitForCount(1)

    expect(hub.dropConnections('feed:gap')).toBe(1)
    // Ten events while the client is away; only the last three are retained.
    for (let n = 1; n <= 10; n++) hub.publish('feed:gap', { n })

    await events.waitForCount(4)
    expect(events.values.map((value) => value.n)).toEqual([0, 8, 9, 10])
    expect(hub.stats().resumeGaps).toBe(1)
    expect(hub.stats().eventsReplayed).toBe(3)
  })
})
