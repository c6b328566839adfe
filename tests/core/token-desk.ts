import { ORPCError } from '@orpc/client'
import { QueryClient } from '@tanstack/query-core'
import { createDurableConnection, durableIteratorTokenOptions } from '../../src'
import { type DurableConnectionSettings, resolveSettings } from '../../src/connection/connection-settings'
import type { CreateDurableConnectionOptions } from '../../src/connection/create-connection'
import { FakeDurableServer } from './fake-durable-server'

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url')
}

/** A JWT-shaped token with these claims. The client reads claims and never verifies, so the signature is filler. */
export function makeToken(claims: { chn: string; iat: number; exp: number; rpc?: string[] }, serial: number): string {
  return `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url(JSON.stringify({ ...claims, jti: serial }))}.signature`
}

/** The app's token procedure, scripted: it issues, refuses, fails or hangs as the test says, counting calls. */
export class TokenDesk {
  calls = 0
  ttlSeconds = 60
  mode: 'issue' | 'refuse' | 'fail' | 'hang' = 'issue'
  readonly issued: string[] = []
  /** Calls that have not answered yet (mode 'hang'), with what would release them. */
  readonly pending: Array<() => void> = []

  procedure = async (): Promise<string> => {
    this.calls++
    if (this.mode === 'refuse') throw new ORPCError('UNAUTHORIZED', { message: 'sign in first' })
    if (this.mode === 'fail') throw new ORPCError('INTERNAL_SERVER_ERROR', { message: 'database is down' })
    if (this.mode === 'hang') await new Promise<void>((resolve) => this.pending.push(resolve))
    const iat = Math.floor(Date.now() / 1000)
    const token = makeToken({ chn: 'chat:lobby', iat, exp: iat + this.ttlSeconds }, this.issued.length)
    this.issued.push(token)
    return token
  }
}

export const DURABLE_URL = 'ws://durable.test/durable'

/** A stream against a fake server with a scripted token desk, as an app would create it outside React. */
export function fakeStream(
  options: Partial<Omit<CreateDurableConnectionOptions, 'tokenQuery'>> & { refreshBeforeExpirySeconds?: number } = {},
) {
  const server = new FakeDurableServer()
  const desk = new TokenDesk()
  const queryClient = options.queryClient ?? new QueryClient()
  const tokenQuery = durableIteratorTokenOptions(desk.procedure, undefined, {
    queryKey: ['durable-token', 'lobby'],
    refreshBeforeExpirySeconds: options.refreshBeforeExpirySeconds,
  })
  let settings: DurableConnectionSettings = {
    url: DURABLE_URL,
    WebSocket: server.WebSocket,
    heartbeat: false,
    reconnect: { jitter: 0 },
    ...options,
    queryClient,
  }
  const connection = createDurableConnection<{ text: string }>({ ...settings, tokenQuery })
  /** Changes settings as a provider re-render would. */
  const reconfigure = (changes: Partial<DurableConnectionSettings>) => {
    settings = { ...settings, ...changes }
    connection.configure(resolveSettings(settings))
  }
  return { server, desk, queryClient, tokenQuery, connection, reconfigure }
}
