import { describe, expect, it } from 'vitest'
import { tokenTiming } from '../../src/token/token-timing'

const iat = 1_700_000_000
const claims = { iat, exp: iat + 60 }

describe('tokenTiming', () => {
  it('with clocks in step, expires at exp and refreshes the margin before', () => {
    const timing = tokenTiming(claims, iat * 1000 + 300, 10)
    expect(timing).toEqual({ skewMs: 0, expiresAtMs: (iat + 60) * 1000, refreshAtMs: (iat + 50) * 1000 })
  })

  it('with the local clock 10 minutes ahead, moves expiry to the local clock, cautiously', () => {
    const receivedAtMs = (iat + 600) * 1000
    const timing = tokenTiming(claims, receivedAtMs, 10)
    // The server's clock at arrival is taken as iat + 1 s: at most 59 s of the token are left.
    expect(timing.expiresAtMs - receivedAtMs).toBe(59_000)
    expect(timing.refreshAtMs - receivedAtMs).toBe(49_000)
  })

  it('with the local clock 10 minutes behind, does the same the other way', () => {
    const receivedAtMs = (iat - 600) * 1000
    expect(tokenTiming(claims, receivedAtMs, 10).expiresAtMs - receivedAtMs).toBe(59_000)
  })

  it('caps the margin at half the lifetime, so a short token is not stale on arrival', () => {
    const timing = tokenTiming({ iat, exp: iat + 4 }, iat * 1000, 30)
    expect(timing.expiresAtMs - timing.refreshAtMs).toBe(2000)
  })
})
