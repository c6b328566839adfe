import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { Cleanup, openDurableClient, subscribe } from '../server/harness'
import { type CloudflareHub, startCloudflareHub } from './harness'

let hub: CloudflareHub
const cleanup = new Cleanup()
beforeAll(async () => {
  hub = await startCloudflareHub()
})
afterEach(() => cleanup.run())
afterAll(() => hub.close())

it('a subscribed socket survives the object being evicted and woken: live events and resume still work', {
  timeout: 30_000,
}, async () => {
  const token = await hub.signToken({ chn: 'cf:hibernate', rpc: ['whoAmI'], att: { name: 'ada' } })
  const connection = openDurableClient(cleanup, hub.durableUrl, token, 'sleeper')
  const events = await subscribe<{ n: number }>(cleanup, connection, { retry: Number.POSITIVE_INFINITY })
  await hub.publish('cf:hibernate', { n: 0 })
  await events.waitForCount(1)
  const before = await hub.instanceId('cf:hibernate')

  // workerd evicts an object whose only connections are hibernatable sockets after about 10 s without events.
  await new Promise((resolve) => setTimeout(resolve, 15_000))
  await hub.publish('cf:hibernate', { n: 1 })
  expect(await hub.instanceId('cf:hibernate')).not.toBe(before)

  await events.waitForCount(2)
  // The socket's state came back from its attachment: same client id and claims.
  await expect(connection.client.call({ path: ['whoAmI'] })).resolves.toEqual({
    clientId: 'sleeper',
    att: { name: 'ada' },
  })
  // And the retention log from SQLite: a drop after the wake resumes without loss.
  const reopened = new Promise((resolve) => connection.socket.addEventListener('open', resolve, { once: true }))
  connection.socket.reconnect()
  await hub.publish('cf:hibernate', { n: 2 })
  await reopened
  await events.waitForCount(3)
  await new Promise((resolve) => setTimeout(resolve, 100))
  expect(events.values).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }])
})
