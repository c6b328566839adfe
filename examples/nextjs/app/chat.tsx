'use client'

import { useState } from 'react'
import { useDurableEventIterator } from 'react-durable-iterator'
import { useOrpc } from './providers'

export function Chat({ room }: { room: string }) {
  const orpc = useOrpc()
  // The token query is already in the cache (dehydrated by the page): the socket opens without asking for one.
  // Event and method types come from the procedure: events are ChatMessage, rpc.sendMessage takes { text }.
  const { status, events, error, rpc, reconnect } = useDurableEventIterator(orpc.chat.onMessage, { room })
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
