import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DURABLE_ITERATOR_TOKEN_HEADER, signDurableIteratorToken, type TokenFormat } from '../../src/server'
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint'
import { SIGNING_KEY } from './harness'

/** Calls a procedure over oRPC's HTTP wire format and returns the marking header and the output. */
async function callProcedure(endpoint: TokenEndpoint, path: string, input?: unknown) {
  const response = await fetch(`${endpoint.rpcUrl}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: input }),
  })
  const { json } = (await response.json()) as { json: unknown }
  return { header: response.headers.get(DURABLE_ITERATOR_TOKEN_HEADER), output: json }
}

describe.each<TokenFormat>(['orpc', 'jwt'])('DurableIteratorTokenPlugin, tokens as %s', (tokenFormat) => {
  let endpoint: TokenEndpoint
  beforeAll(async () => {
    endpoint = await startTokenEndpoint({
      signingKey: SIGNING_KEY,
      issue: (room) =>
        signDurableIteratorToken({ chn: room }, { signingKey: SIGNING_KEY, ttlSeconds: 60, tokenFormat }),
    })
  })
  afterAll(() => endpoint.close())

  it('marks the response of a procedure that returns one of the hub’s tokens with x-orpc-durable-iterator: 1', async () => {
    const { header, output } = await callProcedure(endpoint, 'room', { room: 'plugin' })
    expect(header).toBe('1')
    expect(typeof output).toBe('string')
  })

  it('leaves other strings, tokens signed with another key, and objects unmarked', async () => {
    for (const path of ['greeting', 'otherJwt', 'profile']) {
      expect((await callProcedure(endpoint, path)).header, path).toBeNull()
    }
  })

  it('leaves unmatched paths and errors alone', async () => {
    const response = await fetch(`${endpoint.rpcUrl}/refused`, { method: 'POST' })
    expect(response.status).toBe(403)
    expect(response.headers.get(DURABLE_ITERATOR_TOKEN_HEADER)).toBeNull()
    expect((await fetch(`${endpoint.rpcUrl}/nowhere`, { method: 'POST' })).status).toBe(404)
  })
})
