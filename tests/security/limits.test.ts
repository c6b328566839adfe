import { connect } from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { type ReferenceServer, signDurableIteratorToken, startReferenceServer } from '../../src/server'
import { Cleanup, openRawSocket, SIGNING_KEY, socketUrl, waitFor } from '../server/harness'

const cleanup = new Cleanup()
let server: ReferenceServer | undefined
afterEach(async () => {
  await cleanup.run()
  await server?.close()
})

function token() {
  return signDurableIteratorToken({ chn: 'chat:limits' }, { signingKey: SIGNING_KEY, ttlSeconds: 60 })
}

/** Opens a raw TCP connection, writes `bytes` and resolves when the server closes it. */
function rawConnection(port: number, bytes: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes))
    socket.on('error', () => {})
    // Read what the server answers (a 408), so its end of the connection is seen and 'close' fires.
    socket.resume()
    socket.on('close', () => resolve())
    cleanup.add(() => socket.destroy())
  })
}

it('a slow or incomplete upgrade is cut after headersTimeoutMs, and never reaches the hub', async () => {
  server = await startReferenceServer({ signingKey: SIGNING_KEY, headersTimeoutMs: 300 })
  const { port } = new URL(server.rpcUrl)
  const partialUpgrade = `GET /durable?id=slow&token=${await token()} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n`
  await Promise.all([rawConnection(Number(port), partialUpgrade), rawConnection(Number(port), '')])
  expect(server.stats()).toMatchObject({ upgradesAccepted: 0, openSockets: 0 })
})

it('sockets beyond maxSockets are refused with 1013 and a reason that says to retry', async () => {
  server = await startReferenceServer({ signingKey: SIGNING_KEY, maxSockets: 2 })
  const url = socketUrl(server.durableUrl, { token: await token() })
  const first = openRawSocket(cleanup, `${url}&id=a`)
  const second = openRawSocket(cleanup, `${url}&id=b`)
  await Promise.all([first.opened, second.opened])

  const third = openRawSocket(cleanup, `${url}&id=c`)
  expect(await third.closed).toEqual({ code: 1013, reason: 'too many sockets (2): try again later' })
  expect(server.stats().upgradesRejected).toEqual({ 'too many sockets': 1 })

  first.socket.close()
  await waitFor(() => server?.stats().openSockets === 1, 'the first socket to close')
  const fourth = openRawSocket(cleanup, `${url}&id=d`)
  await fourth.opened
  expect(server.stats().openSockets).toBe(2)
})
