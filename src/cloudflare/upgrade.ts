import { type SigningKey, toKeyBytes } from '../protocol/signing-key.js'
import { verifyTokenWithKey } from '../protocol/token-verification.js'
import { judgeUpgrade } from '../protocol/upgrade-gate.js'
import { checkRefuseUpgradesWith, type RefuseUpgradesWith, refusalHttpStatus } from '../protocol/upgrade-refusal.js'
import { createWebSocketPair, type DurableObjectNamespaceLike, upgradeResponse } from './runtime.js'

export interface UpgradeDurableIteratorRequestOptions {
  /** The key tokens are signed with (at least 32 bytes). */
  signingKey: SigningKey
  /** The namespace of the class made by `createDurableIteratorObject`; one object per channel. */
  namespace: DurableObjectNamespaceLike
  /**
   * How refusals reach the client: accepted and closed with 4000/4001 (`'close-code'`), or a plain HTTP 400/401 before
   * the upgrade (`'http-status'`, as oRPC's server does, for proxies that cannot accept-then-close). Give the object
   * the same setting.
   * @default 'close-code'
   */
  refuseUpgradesWith?: RefuseUpgradesWith
}

/**
 * Serves a durable-iterator upgrade in a Worker's `fetch`: verifies the token first (a bad one never wakes an
 * object), then forwards the request to the channel's object, `namespace.idFromName(claims.chn)`. Refusals are
 * accepted and closed with 4000/4001, since browsers cannot read the status of a refused upgrade, or answered with
 * HTTP 400/401 (`refuseUpgradesWith: 'http-status'`). Only upgrades are forwarded, so the object's publish endpoint
 * stays unreachable from outside.
 */
export async function upgradeDurableIteratorRequest(
  request: Request,
  options: UpgradeDurableIteratorRequestOptions,
): Promise<Response> {
  if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
    return new Response('Expected a WebSocket upgrade', { status: 426 })
  }
  const refuseWith = checkRefuseUpgradesWith(options.refuseUpgradesWith)
  const key = toKeyBytes(options.signingKey)
  const verdict = await judgeUpgrade(new URL(request.url), {
    verifyToken: (token) => verifyTokenWithKey(token, key, Date.now()),
  })
  if (verdict.ok) {
    const { namespace } = options
    return namespace.get(namespace.idFromName(verdict.claims.chn)).fetch(request)
  }
  if (refuseWith === 'http-status') return new Response(verdict.reason, { status: refusalHttpStatus(verdict.code) })
  const { client, server } = createWebSocketPair()
  server.accept()
  server.close(verdict.code, verdict.reason)
  return upgradeResponse(client)
}
