import { CloseCode } from './constants.js'

/**
 * How a hub refuses an upgrade it will not serve (no client id, no or a bad token, too many sockets):
 * - `'close-code'`: accept the socket, then close it with 4000/4001/4003/1013 and a reason. Browsers never show the
 *   HTTP status of a refused upgrade, so this is the only way a browser client can learn why.
 * - `'http-status'`: answer the upgrade request with a plain HTTP 400/401/403/503 and the reason as text, never
 *   upgrading, as oRPC's own durable-iterator server does. For proxies and load balancers that cannot pass a socket
 *   that closes right after it opened; a browser then sees only a failed connection (close 1006).
 */
export type RefuseUpgradesWith = 'close-code' | 'http-status'

const HTTP_STATUS_BY_CLOSE_CODE: Record<number, number> = {
  [CloseCode.missingClientId]: 400,
  [CloseCode.invalidToken]: 401,
  [CloseCode.forbidden]: 403,
  [CloseCode.tryAgainLater]: 503,
}

/** The HTTP status that stands for a refusal's close code when refusing before the upgrade. */
export function refusalHttpStatus(closeCode: number): number {
  return HTTP_STATUS_BY_CLOSE_CODE[closeCode] ?? 400
}

/** Checks the option where a hub is made, so a typo fails at startup rather than at the first refusal. */
export function checkRefuseUpgradesWith(value: RefuseUpgradesWith | undefined): RefuseUpgradesWith {
  if (value === undefined) return 'close-code'
  if (value === 'close-code' || value === 'http-status') return value
  throw new TypeError(
    `react-durable-iterator: refuseUpgradesWith must be 'close-code' or 'http-status' (got ${JSON.stringify(value)}).`,
  )
}
