import type { Client } from '@orpc/client'
import type { DurableIteratorToken } from 'react-durable-iterator'

// The reference server's token procedure as this app's client sees it. The package does not export the reference
// server's app types: an app declares the shape of its own API, or imports it from its own server code.

/** A chat message as the reference server publishes it. */
export interface ChatMessage {
  text: string
  /** The sender's client id. */
  from: string
  sentAtMs: number
}

// Clients are type aliases, not interfaces: oRPC's client types are index signatures, which interfaces do not fit.

/** The remote methods a chat token's `rpc` claim allows, called over the stream's socket. */
export type ChatMethods = {
  sendMessage: Client<Record<never, never>, { text: string }, ChatMessage, Error>
}

/** The reference server's token procedures (`react-durable-iterator-server`, oRPC over HTTP at /rpc). */
export type ReferenceApi = {
  chat: {
    onMessage: Client<Record<never, never>, { room: string }, DurableIteratorToken<ChatMessage, ChatMethods>, Error>
  }
}
