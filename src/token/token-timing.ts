import type { DurableIteratorClaims } from '../protocol/claims.js'

/** Below this, a difference between the local clock and the token's `iat` is treated as latency, not skew. */
const IGNORED_SKEW_MS = 2000

/**
 * When a token expires and when it should be refreshed, on the local clock.
 *
 * `iat` and `exp` are on the server's clock. The server's clock at arrival is estimated as `iat + 1 s`
 * (whole seconds and latency mean the token is at most about that old), so a local clock minutes off
 * neither refreshes in a loop nor connects with a token the server already considers expired.
 */
export interface TokenTiming {
  /** Local time (ms) at which the server will consider the token expired. */
  expiresAtMs: number
  /** Local time (ms) from which the token counts as stale and is refreshed. */
  refreshAtMs: number
  /** Server clock minus local clock, as estimated (0 when within latency). */
  skewMs: number
}

/**
 * @param receivedAtMs local time the token arrived (TanStack Query's `dataUpdatedAt`)
 * @param refreshBeforeExpirySeconds margin, capped at half the token's lifetime
 */
export function tokenTiming(
  claims: Pick<DurableIteratorClaims, 'iat' | 'exp'>,
  receivedAtMs: number,
  refreshBeforeExpirySeconds: number,
): TokenTiming {
  const estimatedSkewMs = (claims.iat + 1) * 1000 - receivedAtMs
  const skewMs = Math.abs(estimatedSkewMs) > IGNORED_SKEW_MS ? estimatedSkewMs : 0
  const expiresAtMs = claims.exp * 1000 - skewMs
  const lifetimeSeconds = claims.exp - claims.iat
  const marginMs = Math.max(0, Math.min(refreshBeforeExpirySeconds, lifetimeSeconds / 2)) * 1000
  return { expiresAtMs, refreshAtMs: expiresAtMs - marginMs, skewMs }
}
