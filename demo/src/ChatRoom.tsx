import { type FormEvent, useState } from 'react'
import { useDurableEventIterator } from 'react-durable-iterator'
import { ConnectionPanel } from './ConnectionPanel'
import { CHAT_ROOM, orpc } from './config'
import { useStreamHealth } from './useStreamHealth'

function MessageList() {
  const { events } = useDurableEventIterator(orpc.chat.onMessage, CHAT_ROOM, { maxEvents: 50 })
  if (events.length === 0) return <p className="muted">No messages yet: say something.</p>
  return (
    <ol className="messages" data-testid="messages">
      {events.map((message) => (
        <li key={`${message.sentAtMs}-${message.from}-${message.text}`}>
          <span className="from">{message.from.slice(0, 6)}</span> {message.text}
        </li>
      ))}
    </ol>
  )
}

function MessageCount() {
  const { events } = useDurableEventIterator(orpc.chat.onMessage, CHAT_ROOM, { maxEvents: 50 })
  return <span className="badge">{events.length} messages</span>
}

function Composer() {
  const { rpc, status } = useDurableEventIterator(orpc.chat.onMessage, CHAT_ROOM)
  const [text, setText] = useState('')
  const [error, setError] = useState<string>()
  async function send(event: FormEvent) {
    event.preventDefault()
    if (!text.trim()) return
    try {
      await rpc.sendMessage({ text })
      setText('')
      setError(undefined)
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause))
    }
  }
  return (
    <form onSubmit={send} className="composer">
      <input
        aria-label="Message"
        value={text}
        onChange={(event) => setText(event.target.value)}
        placeholder={status === 'open' ? 'Type a message' : `Sends when the stream is open (${status})`}
      />
      <button type="submit">Send</button>
      {error && <p className="error">{error}</p>}
    </form>
  )
}

export function ChatRoom() {
  const { stream, health, tokensFetched, now } = useStreamHealth(orpc.chat.onMessage, CHAT_ROOM)
  return (
    <article className="card">
      <header>
        <h2>Chat room “lobby”</h2>
        <MessageCount />
      </header>
      <ConnectionPanel name="chat" {...stream} health={health} tokensFetched={tokensFetched} now={now} />
      <MessageList />
      <Composer />
    </article>
  )
}
