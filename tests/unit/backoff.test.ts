import { describe, expect, it } from 'vitest'
import { backoffDelayMs, DEFAULT_RECONNECT_OPTIONS } from '../../src/connection/backoff'
import { nextStatus } from '../../src/connection/connection-status'

describe('backoffDelayMs', () => {
  const noJitter = { ...DEFAULT_RECONNECT_OPTIONS, jitter: 0 }

  it('grows from minDelayMs by factor up to maxDelayMs', () => {
    expect([0, 1, 2, 3].map((attempt) => backoffDelayMs(attempt, noJitter))).toEqual([0, 250, 375, 563])
    expect(backoffDelayMs(40, noJitter)).toBe(10_000)
  })

  it('spreads delays over the jitter fraction', () => {
    const options = { ...DEFAULT_RECONNECT_OPTIONS, jitter: 0.5 }
    expect(backoffDelayMs(1, options, () => 0)).toBe(125)
    expect(backoffDelayMs(1, options, () => 1)).toBe(250)
  })
})

describe('nextStatus', () => {
  it('follows the documented transitions', () => {
    expect(nextStatus('idle', 'start')).toBe('connecting')
    expect(nextStatus('connecting', 'attempt-failed')).toBe('reconnecting')
    expect(nextStatus('connecting', 'subscribed')).toBe('open')
    expect(nextStatus('open', 'connection-lost')).toBe('reconnecting')
    expect(nextStatus('reconnecting', 'subscribed')).toBe('open')
    expect(nextStatus('open', 'failed-terminally')).toBe('error')
    expect(nextStatus('error', 'start')).toBe('connecting')
  })

  it('keeps closed and error until restarted', () => {
    for (const transition of ['subscribed', 'attempt-failed', 'connection-lost'] as const) {
      expect(nextStatus('closed', transition)).toBe('closed')
      expect(nextStatus('error', transition)).toBe('error')
    }
    expect(nextStatus('closed', 'failed-terminally')).toBe('closed')
  })
})
