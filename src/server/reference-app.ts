import { type } from '@orpc/contract'
import { ORPCError, os } from '@orpc/server'
import type { DurableIteratorMethodContext } from '../protocol/method-context.js'
import type { DurableIteratorHub } from './hub.js'

/** A chat message as the reference app publishes it. */
export interface ChatMessage {
  text: string
  /** The sender's client id. */
  from: string
  sentAtMs: number
}

/** A ticker price as the reference app publishes it. */
export interface Tick {
  symbol: string
  price: number
  /** Consecutive per symbol, so a consumer can see gaps. */
  seq: number
  atMs: number
}

/**
 * The reference app's channels: chat rooms and price tickers. Any other channel carries plain objects: tests and tools
 * publish there with tokens they sign themselves.
 */
export interface ReferenceChannels {
  [channel: `chat:${string}`]: ChatMessage
  [channel: `ticker:${string}`]: Tick
  [channel: string]: object
}

const MAX_NAME_LENGTH = 64
const MAX_MESSAGE_LENGTH = 2000

// Schemas typed for callers and checked as unknown: the wire can carry anything.
function nameField<TField extends string>(field: TField) {
  return type<Record<TField, string>>((value: unknown) => {
    const name = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined
    if (typeof name !== 'string' || !/^[\w-]+$/.test(name) || name.length > MAX_NAME_LENGTH) {
      throw new ORPCError('BAD_REQUEST', {
        message: `expected { ${field}: string } of 1-${MAX_NAME_LENGTH} letters, digits, '_' or '-'`,
      })
    }
    return { [field]: name } as Record<TField, string>
  })
}

const methodBase = os.$context<DurableIteratorMethodContext>()

/** Remote methods of the chat stream: called over the socket by tokens whose `rpc` lists them. */
export const chatMethods = {
  sendMessage: methodBase
    .input(
      type<{ text: string }>((value: unknown) => {
        const text = typeof value === 'object' && value !== null ? (value as { text?: unknown }).text : undefined
        if (typeof text !== 'string' || text.trim().length === 0 || text.length > MAX_MESSAGE_LENGTH) {
          throw new ORPCError('BAD_REQUEST', {
            message: `expected { text: string } of 1-${MAX_MESSAGE_LENGTH} characters`,
          })
        }
        return { text }
      }),
    )
    .handler(({ context, input }) => {
      const message: ChatMessage = { text: input.text, from: context.clientId, sentAtMs: Date.now() }
      context.publish(message)
      return message
    }),
}

export type ChatMethods = typeof chatMethods

/** Input of the chat token procedure: a room name. */
export const roomInput = nameField('room')
/** Input of the ticker token procedure: a symbol. */
export const symbolInput = nameField('symbol')

/**
 * The example app's HTTP router: token procedures for a chat room and a price ticker. The event types come from the
 * hub's channel map, the remote methods from each token's `rpc` claim: chat tokens may send messages, ticker tokens
 * may call nothing.
 */
export function createReferenceRouter(
  hub: DurableIteratorHub<ChatMethods, ReferenceChannels>,
  onTickerRequested: (symbol: string) => void,
) {
  return {
    chat: {
      onMessage: os
        .input(roomInput)
        .handler(({ input }) => hub.issueToken(`chat:${input.room}`, { rpc: ['sendMessage'] })),
    },
    ticker: {
      onTick: os.input(symbolInput).handler(async ({ input }) => {
        onTickerRequested(input.symbol)
        return hub.issueToken(`ticker:${input.symbol}`)
      }),
    },
  }
}

export type ReferenceRouter = ReturnType<typeof createReferenceRouter>
