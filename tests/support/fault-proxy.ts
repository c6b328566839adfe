import type { AddressInfo } from 'node:net'
import { connect, createServer, type Server, type Socket } from 'node:net'

/**
 * A TCP relay on 127.0.0.1 between a client and a server, that breaks the connection on command the ways
 * networks do: drop (reset), stall (half-open: no data, no close), delay, and refuse new connections.
 */
export class FaultProxy {
  private readonly links = new Set<Link>()
  private delayMs = 0
  private refusing = false
  /** Connections relayed since the proxy started (every WebSocket upgrade is one). */
  connectionsRelayed = 0
  private readonly watched = new Map<string, number>()

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {
    server.on('connection', (client) => this.relay(client))
  }

  /** Starts a relay to the server behind `url` (its host and port). */
  static async start(url: string): Promise<FaultProxy> {
    const { hostname, port } = new URL(url)
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return new FaultProxy(server, { host: hostname, port: Number(port) })
  }

  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string {
    const proxied = new URL(url)
    proxied.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return proxied.toString()
  }

  /** Connections relayed right now. */
  get openLinks(): number {
    return this.links.size
  }

  /**
   * Counts from now on how often `text` passes from the server to the client (server frames are not masked, so
   * their payload can be read on the wire).
   */
  watchServerFrames(text: string): () => number {
    this.watched.set(text, 0)
    return () => this.watched.get(text) ?? 0
  }

  /** Resets every connection now, as a network failure would (no close frame). */
  drop(): void {
    for (const link of this.links) link.destroy()
  }

  /** Stops moving bytes on every current connection, in both directions, without closing it. */
  stall(): void {
    for (const link of this.links) link.stalled = true
  }

  /** Holds every chunk for `ms` before passing it on (0 turns it off). */
  delay(ms: number): void {
    this.delayMs = ms
  }

  /** While on, new connections are reset as soon as they arrive. */
  refuse(on: boolean): void {
    this.refusing = on
  }

  private countServerChunk(chunk: Buffer): void {
    if (this.watched.size === 0) return
    const text = chunk.toString('latin1')
    for (const [needle, count] of this.watched) this.watched.set(needle, count + text.split(needle).length - 1)
  }

  async close(): Promise<void> {
    this.drop()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private relay(client: Socket): void {
    if (this.refusing) {
      client.resetAndDestroy()
      return
    }
    this.connectionsRelayed++
    const upstream = connect(this.target.port, this.target.host)
    const link = new Link(
      client,
      upstream,
      () => this.delayMs,
      (chunk) => this.countServerChunk(chunk),
    )
    this.links.add(link)
    link.onEnd(() => this.links.delete(link))
  }
}

class Link {
  stalled = false
  private ended = false
  private readonly endListeners: Array<() => void> = []

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    delayMs: () => number,
    onServerChunk: (chunk: Buffer) => void,
  ) {
    const pipe = (from: Socket, to: Socket) => {
      from.on('data', (chunk: Buffer) => {
        if (this.stalled) return
        if (from === upstream) onServerChunk(chunk)
        const ms = delayMs()
        if (ms > 0) setTimeout(() => this.stalled || to.write(chunk), ms)
        else to.write(chunk)
      })
      from.on('end', () => this.stalled || to.end())
      from.on('error', () => this.destroy())
      from.on('close', () => this.destroy())
    }
    pipe(client, upstream)
    pipe(upstream, client)
  }

  onEnd(listener: () => void): void {
    this.endListeners.push(listener)
  }

  destroy(): void {
    if (this.ended) return
    this.ended = true
    this.client.resetAndDestroy()
    this.upstream.resetAndDestroy()
    for (const listener of this.endListeners) listener()
  }
}
