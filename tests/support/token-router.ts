/**
 * The tests' token procedures, as an app's oRPC router has them: served over HTTP by a Node server
 * (token-endpoint.ts) or by the test Worker (tests/cloudflare/worker.ts). No Node built-ins, so workerd can run it.
 */
import { ORPCError, os, type } from '@orpc/server'
import { signDurableIteratorToken } from '../../src/protocol/token-signing'

export const OTHER_KEY = 'another-key-0123456789-abcdefghijklmnopqrstuv'

export function tokenRouter(issue: (room: string) => Promise<string>) {
  return {
    /** A token procedure: its response is marked. */
    room: os.input(type<{ room: string }>()).handler(({ input }) => issue(input.room)),
    /** Any other string output is left unmarked… */
    greeting: os.handler(() => 'hello.world'),
    /** …and so is a token signed with another key (say, a session JWT). */
    otherJwt: os.handler(() => signDurableIteratorToken({ chn: 'x' }, { signingKey: OTHER_KEY, ttlSeconds: 60 })),
    /** Objects are never tokens. */
    profile: os.handler(() => ({ name: 'ada' })),
    /** A token procedure that refuses: errors are never marked. */
    refused: os.handler((): Promise<string> => {
      throw new ORPCError('FORBIDDEN', { message: 'not for you' })
    }),
  }
}

export type TokenRouter = ReturnType<typeof tokenRouter>
