import { ORPCError } from '@orpc/client'
import { describe, expect, it } from 'vitest'
import { DurableIteratorError } from '../../src'
import { decideAfterClose, decideAfterSubscribeError, type SocketEnd } from '../../src/connection/close-policy'

function end(fields: Partial<SocketEnd>): SocketEnd {
  return {
    code: 1000,
    reason: '',
    phase: 'opening',
    tokenWasFresh: false,
    refetchedThisOutage: false,
    endpoint: 'ws://durable.test/durable',
    handshakeTimeoutMs: 10_000,
    ...fields,
  }
}

describe('after a socket ends', () => {
  it('a lost open stream retries at once without a new token, saying it resumes', () => {
    const decision = decideAfterClose(end({ code: 1006, phase: 'subscribed' }))
    expect(decision).toMatchObject({ action: 'retry', freshToken: false, error: { code: 'CONNECTION_LOST' } })
    expect(decision.error.message).toMatch(/reconnecting and resuming/)
  })

  it('4001 or 1008 on an open stream (expiry) retries with a fresh token', () => {
    for (const code of [4001, 1008]) {
      const decision = decideAfterClose(end({ code, reason: 'token expired', phase: 'subscribed' }))
      expect(decision).toMatchObject({ action: 'retry', freshToken: true, error: { code: 'CONNECTION_LOST' } })
      expect(decision.error.message).toContain('token expired')
    }
  })

  it('4001 before subscribing: a cached token is retried fresh; a token issued for this attempt is a refusal', () => {
    expect(decideAfterClose(end({ code: 4001, phase: 'subscribing', tokenWasFresh: false }))).toMatchObject({
      action: 'retry',
      freshToken: true,
    })
    const refused = decideAfterClose(
      end({ code: 4001, reason: 'invalid token: bad signature', phase: 'subscribing', tokenWasFresh: true }),
    )
    expect(refused).toMatchObject({ action: 'fail', endsSession: true, error: { code: 'CONNECTION_REFUSED' } })
    expect(refused.error.message).toMatch(/bad signature.*signing key/s)
  })

  it('4003 is a refusal of access that ends the session', () => {
    const decision = decideAfterClose(end({ code: 4003, reason: 'forbidden', phase: 'subscribing' }))
    expect(decision).toMatchObject({ action: 'fail', endsSession: true, error: { code: 'CONNECTION_REFUSED' } })
    expect(decision.error.message).toMatch(/refused access.*Issue a token that allows this stream/s)
  })

  it('4000 speaks of the missing client id and the query string, not of the token', () => {
    const decision = decideAfterClose(end({ code: 4000, reason: 'missing `id` query parameter', phase: 'subscribing' }))
    expect(decision).toMatchObject({ action: 'fail', endsSession: false })
    expect(decision.error.message).toMatch(/client `id`/)
    expect(decision.error.message).toMatch(/query string/)
    expect(decision.error.message).not.toMatch(/token does not allow|refused a token/)
  })

  it('a readable HTTP 401: a cached token is retried fresh, a fresh one is refused', () => {
    expect(decideAfterClose(end({ httpStatus: 401 }))).toMatchObject({ action: 'retry', freshToken: true })
    const refused = decideAfterClose(end({ httpStatus: 401, tokenWasFresh: true }))
    expect(refused).toMatchObject({ action: 'fail', endsSession: true, error: { code: 'CONNECTION_REFUSED' } })
    expect(refused.error.message).toMatch(/HTTP 401/)
  })

  it('a readable HTTP 403 is a refusal; 404 and 426 are terminal and name the url; 503 is retried', () => {
    expect(decideAfterClose(end({ httpStatus: 403 }))).toMatchObject({ action: 'fail', endsSession: true })
    for (const status of [404, 426]) {
      const decision = decideAfterClose(end({ httpStatus: status }))
      expect(decision).toMatchObject({ action: 'fail', endsSession: false })
      expect(decision.error.message).toContain(`HTTP ${status}`)
      expect(decision.error.message).toContain('ws://durable.test/durable')
    }
    expect(decideAfterClose(end({ httpStatus: 503 }))).toMatchObject({
      action: 'retry',
      error: { code: 'CONNECTION_FAILED' },
    })
  })

  it('a socket that never opened, status hidden (browsers): retried, naming a refused token as a likely cause, one fresh token per outage', () => {
    const first = decideAfterClose(end({ code: 1000 }))
    expect(first).toMatchObject({ action: 'retry', freshToken: true, error: { code: 'CONNECTION_FAILED' } })
    expect(first.error.message).toMatch(/closed before the WebSocket opened/)
    expect(first.error.message).toMatch(/refused token is a likely cause/)
    expect(decideAfterClose(end({ code: 1000, refetchedThisOutage: true }))).toMatchObject({ freshToken: false })
  })

  it('a handshake timeout is retried and says how long it waited', () => {
    const decision = decideAfterClose(end({ timedOut: true }))
    expect(decision).toMatchObject({ action: 'retry', freshToken: false })
    expect(decision.error.message).toMatch(/did not open within 10000 ms/)
  })

  it('1013 (try again later) is retried with backoff', () => {
    expect(decideAfterClose(end({ code: 1013, phase: 'subscribing' }))).toMatchObject({
      action: 'retry',
      error: { code: 'CONNECTION_FAILED' },
    })
  })

  it('a socket the client ended itself is retried with the reason it gave', () => {
    const reason = new DurableIteratorError('CONNECTION_LOST', 'No answer to a heartbeat')
    expect(decideAfterClose(end({ code: 1000, phase: 'subscribed', endedByClient: reason }))).toEqual({
      action: 'retry',
      error: reason,
      freshToken: false,
    })
  })

  it('messages never contain the token', () => {
    const decision = decideAfterClose(end({ endpoint: 'ws://durable.test/durable', httpStatus: 404 }))
    expect(decision.error.message).not.toMatch(/token=/)
  })
})

describe('after the server answers subscribe with an error', () => {
  it('FORBIDDEN is the server refusing the subscription, not the token procedure', () => {
    const decision = decideAfterSubscribeError(new ORPCError('FORBIDDEN', { message: 'not a member of this room' }))
    expect(decision).toMatchObject({ action: 'fail', endsSession: true, error: { code: 'CONNECTION_REFUSED' } })
    expect(decision.error.message).toMatch(/refused the subscription \(FORBIDDEN: not a member of this room\)/)
    expect(decision.error.message).not.toMatch(/token procedure/)
  })

  it('a server error is retried', () => {
    expect(decideAfterSubscribeError(new ORPCError('INTERNAL_SERVER_ERROR', { message: 'oops' }))).toMatchObject({
      action: 'retry',
      error: { code: 'CONNECTION_FAILED' },
    })
  })
})
