import { ORPCError, os, type } from '@orpc/server'
import type { DurableIteratorMethodContext } from '../../src/protocol/method-context.js'

const methodBase = os.$context<DurableIteratorMethodContext>()

/** The remote methods both engines serve in the protocol tests. */
export const testMethods = {
  sendMessage: methodBase
    .input(
      type<{ text: string }>((value: unknown) => {
        const text = typeof value === 'object' && value !== null ? (value as { text?: unknown }).text : undefined
        if (typeof text !== 'string' || text.length === 0) throw new ORPCError('BAD_REQUEST', { message: 'text' })
        return { text }
      }),
    )
    .handler(({ context, input }) => {
      const message = { text: input.text, from: context.clientId }
      context.publish(message)
      return message
    }),
  whoAmI: methodBase.handler(({ context }) => ({ clientId: context.clientId, att: context.claims.att })),
}

/** The hub settings both engines run the protocol tests with. */
export const testHubOptions = { resumeRetentionSeconds: 30, resumeMaxEvents: 100, maxPayloadBytes: 65_536 }
