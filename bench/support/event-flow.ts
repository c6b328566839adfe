import type { ChatMessage, ReferenceServer } from '../../src/server'
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

  /** When the last event arrived before `timeMs`, and the first after it (undefined if none). */
  around(timeMs: number): { lastBeforeMs: number | undefined; firstAfterMs: number | undefined } {
    let lastBeforeMs: number | undefined
    let firstAfterMs: number | undefined
    for (const at of this.atMs) {
      if (at <= timeMs) lastBeforeMs = at
      else if (firstAfterMs === undefined) firstAfterMs = at
    }
    return { lastBeforeMs, firstAfterMs }
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
