import { createServer, type IncomingHttpHeaders } from 'node:http'
import { ORPCError, os, type } from '@orpc/server'
import { RPCHandler } from '@orpc/server/node'
import { createDurableIteratorHub, type DurableIteratorMethodContext } from 'react-durable-iterator/server'

export interface ChatMessage {
  text: string
  from: string
  sentAtMs: number
}

/** The streams this server publishes, and what is published on them. */
interface Channels {
  [channel: `chat:${string}`]: ChatMessage
}

// Remote methods run in the hub, over the stream's socket; a token may call those its `rpc` claim names.
const methods = {
  sendMessage: os
    .$context<DurableIteratorMethodContext>()
    .input(type<{ text: string }>())
    .handler(({ context, input }) => {
      const { name } = context.claims.att as { name: string }
      context.publish({ text: input.text, from: name, sentAtMs: Date.now() })
    }),
}

// HS256 needs a secret of at least 32 bytes (`openssl rand -base64 48`), the same in every process that issues or
// checks tokens. Without one, createDurableIteratorHub throws, saying so.
const hub = createDurableIteratorHub<typeof methods, Channels>({
  signingKey: process.env.DURABLE_ITERATOR_SIGNING_KEY ?? '',
  methods,
})

// Your own session lookup (a cookie, a header). Here, one signed-in user.
const sessions = new Map([['ada-session', { name: 'Ada' }]])
function userOf(headers: IncomingHttpHeaders) {
  const session = /(?:^|;\s*)session=([^;]+)/.exec(headers.cookie ?? '')?.[1]
  return session ? sessions.get(session) : undefined
}

// The token procedure: an ordinary oRPC procedure that checks who is asking before it hands out a stream.
export const router = {
  chat: {
    onMessage: os
      .$context<{ headers: IncomingHttpHeaders }>()
      .input(type<{ room: string }>())
      .handler(({ context, input }) => {
        const user = userOf(context.headers)
        if (!user) throw new ORPCError('UNAUTHORIZED', { message: 'Sign in to read this room.' })
        return hub.issueToken(`chat:${input.room}`, { ttlSeconds: 300, rpc: ['sendMessage'], att: { name: user.name } })
      }),
  },
}

// One port: oRPC over HTTP at /rpc, the streams' WebSocket upgrades at /durable.
const handler = new RPCHandler(router)
export const server = createServer(async (request, response) => {
  const { matched } = await handler.handle(request, response, { prefix: '/rpc', context: { headers: request.headers } })
  if (!matched) response.writeHead(404).end()
})
server.on('upgrade', (request, socket, head) => {
  if (new URL(request.url ?? '/', 'http://server').pathname === '/durable') hub.handleUpgrade(request, socket, head)
  else socket.destroy()
})
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1')

// Anything in your app can publish to a stream.
export function announce(room: string, text: string) {
  hub.publish(`chat:${room}`, { text, from: 'system', sentAtMs: Date.now() })
}
