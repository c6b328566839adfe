'use client'

import type { RouterClient } from '@orpc/server'
import { useState } from 'react'
import { type DurableIteratorToken, useDurableEventIterator } from 'react-durable-iterator'
import type { ChatMessage, ChatMethods } from 'react-durable-iterator/server'
import { useOrpc } from './providers'

// The token type, spelled with the client entry's brand: the brand the server entry's types put on the router's
// output is not recognised by the client entry, so without this `events` and `rpc` would be `unknown`.
type ChatToken = DurableIteratorToken<ChatMessage, RouterClient<ChatMethods>>

export function Chat({ room }: { room: string }) {
  const orpc = useOrpc()
  // The token query is already in the cache (dehydrated by the page): the socket opens without asking for one.
  const { status, events, error, rpc, reconnect } = useDurableEventIterator<{ room: string }, ChatToken>(
    orpc.chat.onMessage,
    { room },
  )
  const [text, setText] = useState('')

  return (
    <section>
      <p>
        Room <strong>{room}</strong>: <span data-testid="status">{status}</span>
        {status === 'error' && (
          <button type="button" onClick={reconnect}>
            {error?.message} Retry
          </button>
        )}
      </p>
      <ul data-testid="messages">
        {events.map((message) => (
          <li key={`${message.sentAtMs}-${message.from}-${message.text}`}>{message.text}</li>
        ))}
      </ul>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          if (text.trim()) void rpc.sendMessage({ text }).then(() => setText(''))
        }}
      >
        <label>
          Message <input value={text} onChange={(event) => setText(event.target.value)} />
        </label>
        <button type="submit">Send</button>
      </form>
    </section>
  )
}
