import { type ContractRouterClient, oc, type } from '@orpc/contract'
import type { DurableIteratorToken } from '../../src'

/** The events of the chat channel: ticker lines and sent messages, numbered consecutively by the story server. */
export interface ChatMessage {
  seq: number
  from: string
  text: string
}

/** The remote methods a chat token allows over the socket. */
export const chatMethods = {
  sendMessage: oc.input(type<{ text: string }>()),
}

export type ChatToken = DurableIteratorToken<ChatMessage, ContractRouterClient<typeof chatMethods>>

/** The app's token procedure, as the client sees it: `chat.onMessage({ room })` returns the stream's token. */
export const tokenContract = {
  chat: {
    onMessage: oc.input(type<{ room: string }>()).output(type<ChatToken>()),
  },
}

/** The endpoints the stories talk to; nothing listens there, msw answers. */
export const MOCK_RPC_URL = 'http://mock.durable/rpc'
export const MOCK_DURABLE_URL = 'ws://mock.durable/durable'
