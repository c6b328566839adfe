/** How an in-memory hub reaches one client's socket: the only part of a socket that differs between its hosts. */
export interface SocketTransport {
  /** How event frames are handed to `send`: as text, or as their UTF-8 bytes (still sent as a text frame). */
  readonly frameEncoding: 'text' | 'utf8'
  isOpen(): boolean
  /** Sends one text frame. */
  send(frame: string | Uint8Array): void
  /** Closes with a close frame. */
  close(code: number, reason: string): void
  /** Cuts the connection without a close handshake, as a network failure would. */
  cut(): void
}
