import { EventBuffer } from './event-buffer.js'
import { createClientId } from './socket-url.js'

/**
 * One session of a stream: the client id the server resumes and filters by, the events received and the resume
 * point. When a refused token is replaced (another user signed in), the stream starts a new session, so no event
 * outlives the token that delivered it and the server does not replay the old id's history to the new user.
 */
export class StreamSession<TEvent> {
  readonly buffer: EventBuffer<TEvent>
  /** Times the server said events after the resume point were no longer retained. */
  gaps = 0

  /** `clientId` continues a session another tab started (see cross-tab sharing); by default a new one. */
  constructor(
    capacity: number,
    readonly clientId: string = createClientId(),
  ) {
    this.buffer = new EventBuffer<TEvent>(capacity)
  }
}
