import { useState } from 'react'
import { useDurableEventIterator } from '../../src'
import { orpc } from './chat-client'
import { useSecondsUntil } from './use-seconds-until'

export interface StreamViewProps {
  /** Names the panel (several can show the same stream). */
  label: string
  enabled?: boolean
}

/** One component on the `lobby` stream: what `useDurableEventIterator` gives it, and its controls. */
export function StreamView({ label, enabled = true }: StreamViewProps) {
  const stream = useDurableEventIterator(orpc.chat.onMessage, { room: 'lobby' }, { enabled, maxEvents: 50 })
  const expiresIn = useSecondsUntil(stream.tokenExpiresAt)
  const [sendFailure, setSendFailure] = useState<string>()
  const { events } = stream
  const inOrder = events.every((event, index) => index === 0 || event.seq === (events[index - 1]?.seq ?? 0) + 1)

  const send = () => {
    setSendFailure(undefined)
    stream.rpc.sendMessage({ text: 'hello' }).catch((error: Error) => setSendFailure(error.message))
  }

  return (
    <section aria-label={label} style={{ border: '1px solid #ccc', borderRadius: 6, padding: '0 12px 8px' }}>
      <h3>{label}</h3>
      <p>Status: {stream.status}</p>
      <p>Attempt: {stream.attempt}</p>
      {stream.error && (
        <div role="alert">
          <p>Error code: {stream.error.code}</p>
          <p>{stream.error.message}</p>
        </div>
      )}
      <p>Token expires in: {expiresIn === undefined ? 'no token' : `${expiresIn.toFixed(1)} s`}</p>
      <p>Last event id: {stream.lastEventId ?? 'none'}</p>
      <p>Event ids in order: {inOrder ? 'yes' : 'no'}</p>
      <button type="button" onClick={stream.close}>
        Close
      </button>{' '}
      <button type="button" onClick={stream.reconnect}>
        Reconnect
      </button>{' '}
      <button type="button" onClick={send}>
        Send hello
      </button>
      {sendFailure && <p>Send failed: {sendFailure}</p>}
      <ol>
        {events.slice(-6).map((event) => (
          <li key={event.seq}>
            #{event.seq} {event.from}: {event.text}
          </li>
        ))}
      </ol>
    </section>
  )
}
