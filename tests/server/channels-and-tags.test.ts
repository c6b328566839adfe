import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { IssueTokenOptions } from '../../src/server'
import { Cleanup, EventCollector, type HubServer, openDurableClient, startHubServer, waitFor } from './harness'

type Labelled = { label: string }

describe('channels, tags, targets and exclude', () => {
  let server: HubServer<Record<never, never>>
  const cleanup = new Cleanup()

  beforeAll(async () => {
    server = await startHubServer()
  })
  afterEach(async () => {
    await cleanup.run()
    await waitFor(() => server.hub.stats().openSockets === 0, 'the sockets of the test to close on the server')
  })
  afterAll(() => server.close())

  async function listen(
    channel: string,
    grant: IssueTokenOptions = {},
    clientId?: string,
    lastEventId?: string,
  ): Promise<EventCollector<Labelled>> {
    const connection = openDurableClient(
      cleanup,
      server.durableUrl,
      await server.hub.issueToken(channel, grant),
      clientId,
    )
    const before = server.hub.subscriberCount(channel)
    const iterator = await connection.client.subscribe(undefined, lastEventId === undefined ? {} : { lastEventId })
    const events = new EventCollector<Labelled>(iterator)
    cleanup.add(() => events.stop())
    await waitFor(() => server.hub.subscriberCount(channel) > before, `the subscription to ${channel} to reach the hub`)
    return events
  }

  const labels = (events: EventCollector<Labelled>) => events.values.map((value) => value.label)

  it('never delivers another channel’s events to a token', async () => {
    const a = await listen('chat:a')
    const b = await listen('chat:b')

    server.hub.publish('chat:b', { label: 'b1' })
    server.hub.publish('chat:a', { label: 'a1' })
    server.hub.publish('chat:b', { label: 'b2' })
    server.hub.publish('chat:a', { label: 'a2' })

    await a.waitForCount(2)
    await b.waitForCount(2)
    expect(labels(a)).toEqual(['a1', 'a2'])
    expect(labels(b)).toEqual(['b1', 'b2'])
  })

  it('delivers tagged events only to tokens carrying one of the tags, and untagged events to all', async () => {
    const red = await listen('room:tags', { tags: ['red'] })
    const blue = await listen('room:tags', { tags: ['blue'] })
    const untagged = await listen('room:tags')
    const both = await listen('room:tags', { tags: ['blue', 'red'] })

    server.hub.publish('room:tags', { label: 'red' }, { tags: ['red'] })
    server.hub.publish('room:tags', { label: 'blue' }, { tags: ['blue'] })
    server.hub.publish('room:tags', { label: 'red-or-green' }, { tags: ['green', 'red'] })
    server.hub.publish('room:tags', { label: 'all' })

    // The untagged event comes last, so once it arrives everything before it has been decided.
    for (const events of [red, blue, untagged, both]) {
      await waitFor(() => labels(events).includes('all'), 'the untagged event to reach every token')
    }
    expect(labels(red)).toEqual(['red', 'red-or-green', 'all'])
    expect(labels(blue)).toEqual(['blue', 'all'])
    expect(labels(untagged)).toEqual(['all'])
    expect(labels(both)).toEqual(['red', 'blue', 'red-or-green', 'all'])
  })

  it('delivers targeted events only to the listed client ids, and skips excluded ones', async () => {
    const alice = await listen('room:targets', {}, 'alice')
    const bob = await listen('room:targets', {}, 'bob')
    const carol = await listen('room:targets', {}, 'carol')

    server.hub.publish('room:targets', { label: 'to-alice' }, { targets: ['alice'] })
    server.hub.publish('room:targets', { label: 'not-alice' }, { exclude: ['alice'] })
    server.hub.publish('room:targets', { label: 'to-bob-by-predicate' }, { targets: (s) => s.clientId === 'bob' })
    server.hub.publish('room:targets', { label: 'not-carol-by-predicate' }, { exclude: (s) => s.clientId === 'carol' })
    server.hub.publish(
      'room:targets',
      { label: 'to-alice-and-bob-not-bob' },
      { targets: ['alice', 'bob'], exclude: ['bob'] },
    )
    server.hub.publish('room:targets', { label: 'all' })

    for (const events of [alice, bob, carol]) {
      await waitFor(() => labels(events).includes('all'), 'the broadcast event to reach every client')
    }
    expect(labels(alice)).toEqual(['to-alice', 'not-carol-by-predicate', 'to-alice-and-bob-not-bob', 'all'])
    expect(labels(bob)).toEqual(['not-alice', 'to-bob-by-predicate', 'not-carol-by-predicate', 'all'])
    expect(labels(carol)).toEqual(['not-alice', 'all'])
  })

  it('applies tags, targets and exclude to replayed events too', async () => {
    const watcher = await listen('room:replay', { tags: ['red', 'blue'] }, 'watcher')
    server.hub.publish('room:replay', { label: 'start' })
    const [start] = await watcher.waitForCount(1)

    server.hub.publish('room:replay', { label: 'red' }, { tags: ['red'] })
    server.hub.publish('room:replay', { label: 'blue' }, { tags: ['blue'] })
    server.hub.publish('room:replay', { label: 'to-alice' }, { targets: ['alice', 'watcher'] })
    server.hub.publish('room:replay', { label: 'not-alice' }, { exclude: ['alice'] })
    // A predicate is evaluated at publish time over who is connected: alice and bob are not.
    server.hub.publish('room:replay', { label: 'predicate' }, { targets: (s) => s.clientId !== 'nobody' })
    server.hub.publish('room:replay', { label: 'end' })
    await watcher.waitForCount(7)
    expect(labels(watcher)).toEqual(['start', 'red', 'blue', 'to-alice', 'not-alice', 'predicate', 'end'])

    const replayedBefore = server.hub.stats().eventsReplayed
    const alice = await listen('room:replay', { tags: ['blue'] }, 'alice', start?.id)
    const bob = await listen('room:replay', { tags: ['red'] }, 'bob', start?.id)
    for (const events of [alice, bob]) {
      await waitFor(() => labels(events).includes('end'), 'the replay to reach its last event')
    }
    expect(labels(alice)).toEqual(['blue', 'to-alice', 'end'])
    expect(labels(bob)).toEqual(['red', 'not-alice', 'end'])
    expect(server.hub.stats().eventsReplayed - replayedBefore).toBe(6)
  })
})
