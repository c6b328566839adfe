/** How a connection retries. Every field has a default; see `DEFAULT_RECONNECT_OPTIONS`. */
export interface ReconnectOptions {
  /** Delay before the first retry. @default 250 */
  minDelayMs?: number
  /** Largest delay between retries. @default 10000 */
  maxDelayMs?: number
  /** Growth of the delay per failed attempt. @default 1.5 */
  factor?: number
  /**
   * Fraction of each delay that is random, so many clients that lost the same server do not all come
   * back in the same millisecond. 0 disables it.
   * @default 0.5
   */
  jitter?: number
  /** Failed attempts in a row after which the connection gives up with status `error`. @default Infinity */
  maxRetries?: number
}

export const DEFAULT_RECONNECT_OPTIONS: Required<ReconnectOptions> = {
  minDelayMs: 250,
  maxDelayMs: 10_000,
  factor: 1.5,
  jitter: 0.5,
  maxRetries: Number.POSITIVE_INFINITY,
}

/** Delay before retry number `attempt` (1 for the first retry): exponential, capped, with jitter. */
export function backoffDelayMs(
  attempt: number,
  options: Required<ReconnectOptions>,
  random: () => number = Math.random,
): number {
  if (attempt <= 0) return 0
  const exponential = Math.min(options.maxDelayMs, options.minDelayMs * options.factor ** (attempt - 1))
  const jitter = Math.min(Math.max(options.jitter, 0), 1)
  return Math.round(exponential * (1 - jitter + jitter * random()))
}
