import type { ReferenceServer } from '../../src/server'
import type { ChatMessage } from '../../src/server/reference-app'
import { sleep, waitUntil } from './bench-env'

/** Numbered events published to one channel at a steady rate. */
export interface Publisher {
  /** How many were published so far (numbers 0…published-1). */
  readonly published: number
  stop(): void
}

export function publishSteadily(server: ReferenceServer, channel: string, eventsPerSecond: number): Publisher {
  let published = 0
  // Timers fire at most every millisecond or so: above 200/s, publish several per tick.
  const perTick = Math.max(1, Math.round(eventsPerSecond / 200))
  const timer = setInterval(
    () => {
      for (let index = 0; index < perTick; index++) {
        const message: ChatMessage = { text: String(published++), from: 'bench', sentAtMs: Date.now() }
        server.publish(channel, message)
      }
    },
    (1000 * perTick) / eventsPerSecond,
  )
  return {
    get published() {
      return published
    },
    stop: () => clearInterval(timer),
  }
}

/** A publisher to a server in another process (see server-process.ts), that can stop while the server restarts. */
export interface PausablePublisher extends Publisher {
  /** Stops publishing; resolves once everything published so far has been accepted by the server. */
  pause(): Promise<void>
  resume(): void
}

/**
 * Numbered events at a steady rate through `publish` (asynchronous: a message to the server's process). A number
 * counts as published once sent; `pause()` waits until the server has taken every one, so that none is in flight
 * when the server is killed.
 */
export function publishSteadilyVia(
  publish: (message: ChatMessage) => Promise<void>,
  eventsPerSecond: number,
): PausablePublisher {
  let published = 0
  let paused = false
  let lastAccepted: Promise<void> = Promise.resolve()
  const timer = setInterval(() => {
    if (paused) return
    const message: ChatMessage = { text: String(published++), from: 'bench', sentAtMs: Date.now() }
    const accepted = publish(message)
    // Only the last one is awaited (by pause); a failure before it shows up there, or as a lost event.
    accepted.catch(() => {})
    lastAccepted = accepted
  }, 1000 / eventsPerSecond)
  return {
    get published() {
      return published
    },
    pause: () => {
      paused = true
      return lastAccepted
    },
    resume: () => {
      paused = false
    },
    stop: () => clearInterval(timer),
  }
}

/** What one consumer received: each event's number and when it arrived (performance.now()). */
export class Received {
  readonly numbers: number[] = []
  readonly atMs: number[] = []

  readonly onEvent = (message: ChatMessage): void => {
    this.numbers.push(Number(message.text))
    this.atMs.push(performance.now())
  }

  get count(): number {
    return this.numbers.length
  }

  /** When the first event numbered `firstNumber` or above arrived (undefined if none has). */
  firstArrivalFrom(firstNumber: number): number | undefined {
    const index = this.numbers.findIndex((number) => number >= firstNumber)
    return index < 0 ? undefined : this.atMs[index]
  }

  /**
   * The gap a disruption at `atMs` caused, when `firstNumber` was the next number to be published: the longest time
   * without an event from a second before the disruption until the first event published after it arrived. Taken
   * this way, a frame that was already on its way when the disruption began (and is handled just after it) does not
   * end the gap, and neither do events replayed on reconnect. Undefined until an event published after it arrived.
   */
  gapAround(atMs: number, firstNumber: number): number | undefined {
    const recoveredMs = this.firstArrivalFrom(firstNumber)
    return recoveredMs === undefined ? undefined : this.longestSilenceMs(atMs - 1000, recoveredMs)
  }

  /** The longest time without an event between `fromMs` and `toMs` (the edges count as events). */
  longestSilenceMs(fromMs: number, toMs: number): number {
    let previous = fromMs
    let longest = 0
    for (const at of this.atMs) {
      if (at < fromMs || at > toMs) continue
      longest = Math.max(longest, at - previous)
      previous = at
    }
    return Math.max(longest, toMs - previous)
  }

  /**
   * Of the numbers published from the first one received (earlier ones went out before the consumer subscribed) up
   * to published-1: how many never arrived, how many arrived more than once, and how many came after a later one.
   */
  lossesAndDuplicates(published: number): { lost: number; duplicated: number; outOfOrder: number } {
    const seen = new Set<number>()
    let duplicated = 0
    let outOfOrder = 0
    let previous = -1
    for (const number of this.numbers) {
      if (seen.has(number)) duplicated++
      else if (number < previous) outOfOrder++
      seen.add(number)
      previous = Math.max(previous, number)
    }
    let lost = 0
    for (let number = this.numbers[0] ?? published; number < published; number++) if (!seen.has(number)) lost++
    return { lost, duplicated, outOfOrder }
  }

  /** Waits until every published number arrived, or `timeoutMs` passed, or nothing arrived for `quietMs`. */
  async drain(published: number, timeoutMs: number, quietMs = 12_000): Promise<void> {
    const deadline = performance.now() + timeoutMs
    const first = this.numbers[0] ?? 0
    const unique = () => new Set(this.numbers).size
    while (unique() < published - first && performance.now() < deadline) {
      const before = this.count
      const moved = await waitUntil(() => this.count > before, Math.min(quietMs, deadline - performance.now()))
      if (!moved) return
    }
    await sleep(0)
  }
}
