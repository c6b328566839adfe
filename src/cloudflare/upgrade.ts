import { CLIENT_ID_PARAM, CloseCode, TOKEN_PARAM } from '../protocol/constants.js'
import { verifyTokenWithKey } from '../protocol/token-verification.js'
import { checkRefuseUpgradesWith, type RefuseUpgradesWith, refusalHttpStatus } from '../protocol/upgrade-refusal.js'
import { createWebSocketPair, type DurableObjectNamespaceLike, upgradeResponse } from './runtime.js'
import { type SigningKey, toKeyBytes } from './signing-key.js'

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
  const refuse = refuser(checkRefuseUpgradesWith(options.refuseUpgradesWith))
  const url = new URL(request.url)
  const clientId = url.searchParams.getAll(CLIENT_ID_PARAM).at(-1)
  const token = url.searchParams.getAll(TOKEN_PARAM).at(-1)
  if (!clientId) return refuse(CloseCode.missingClientId, 'missing `id` query parameter')
  if (!token) return refuse(CloseCode.invalidToken, 'missing `token` query parameter')
  const verification = await verifyTokenWithKey(token, toKeyBytes(options.signingKey), Date.now())
  if (!verification.ok) return refuse(CloseCode.invalidToken, `invalid token: ${verification.reason}`)
  const { namespace } = options
  return namespace.get(namespace.idFromName(verification.claims.chn)).fetch(request)
}

function refuser(refuseWith: RefuseUpgradesWith): (code: number, reason: string) => Response {
  if (refuseWith === 'http-status') return (code, reason) => new Response(reason, { status: refusalHttpStatus(code) })
  return (code, reason) => {
    const { client, server } = createWebSocketPair()
    server.accept()
    server.close(code, reason)
    return upgradeResponse(client)
  }
}
