import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { DurableIteratorError, parseDurableIteratorToken } from '../../src'
import { type ReferenceServer, signDurableIteratorToken, startReferenceServer } from '../../src/server'
import { readToken } from '../../src/token/parse-token'
import { Cleanup, openDurableClient, openRawSocket, SIGNING_KEY, socketUrl } from '../server/harness'

const cleanup = new Cleanup()
let server: ReferenceServer
const output: string[] = []

beforeAll(async () => {
  server = await startReferenceServer({ signingKey: SIGNING_KEY })
  // Capture everything the process prints while bad tokens go through it.
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      output.push(args.map(String).join(' '))
    })
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream)
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: never[]) => {
      output.push(String(chunk))
      return write(chunk as string, ...rest)
    }) as typeof stream.write)
  }
})
afterAll(async () => {
  vi.restoreAllMocks()
  await cleanup.run()
  await server.close()
})

function sign(chn: string, options: { ttlSeconds?: number; nowMs?: number; signingKey?: string } = {}) {
  return signDurableIteratorToken({ chn }, { signingKey: SIGNING_KEY, ttlSeconds: 60, ...options })
}

it('bad tokens never appear in what the server prints, in close reasons, or in error messages', async () => {
  const tampered = (await sign('chat:a')).replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'))
  const expired = await sign('chat:a', { ttlSeconds: 1, nowMs: Date.now() - 60_000 })
  const otherKey = await sign('chat:a', { signingKey: 'some-other-key-that-is-long-enough-0123456' })
  const otherChannel = await sign('chat:b')
  const badTokens = [tampered, expired, otherKey, 'garbage-q7x.zz9.yy8', otherChannel]
  const texts: string[] = []

  for (const token of badTokens.slice(0, 4)) {
    const { closed } = openRawSocket(cleanup, socketUrl(server.durableUrl, { id: 'leak-check', token }))
    texts.push((await closed).reason)
  }

  const connection = openDurableClient(cleanup, server.durableUrl, await sign('chat:a'))
  for (const token of badTokens) {
    const error = await connection.client.updateToken({ token }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(Error)
    texts.push((error as Error).message)
  }

  for (const token of badTokens.slice(0, 4)) {
    const error = (() => {
      try {
        readToken(token.replace(/^[^.]+\.[^.]+/, 'broken'), 'chat.onMessage', parseDurableIteratorToken)
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(DurableIteratorError)
    texts.push((error as Error).message)
  }

  const everything = [...texts, ...output].join('\n')
  expect(texts.length).toBe(13)
  for (const token of badTokens) {
    expect(everything).not.toContain(token)
    // Not even the signature part of a JWT.
    const signature = token.split('.')[2]
    if (signature) expect(everything).not.toContain(signature)
  }
})
