import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { ScenarioResult } from './results'

/** Set by `bench/run.mjs`: `--quick` runs each scenario once, smaller, to check the scripts work. */
export const QUICK = process.env.BENCH_QUICK === '1'

/** Where scenario results go (JSON, one file per scenario); `bench/run.mjs` reads them to write BENCHMARKS.md. */
const OUT_DIR = resolve(process.cwd(), process.env.BENCH_OUT ?? 'artifacts/bench')

/** Repetitions of a scenario: `full` normally, 1 in quick mode. */
export function runsOf(full: number): number {
  return QUICK ? 1 : full
}

export function writeResult(result: ScenarioResult): void {
  mkdirSync(OUT_DIR, { recursive: true })
  writeFileSync(join(OUT_DIR, `${result.id}.json`), `${JSON.stringify(result, null, 2)}\n`)
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `condition` every `everyMs` until it holds; false if `timeoutMs` passed first. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, everyMs = 10): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() >= deadline) return false
    await sleep(everyMs)
  }
  return true
}

/** Heap in use after two full collections (needs `--expose-gc`, which bench.config.ts passes). */
export async function heapUsedAfterGc(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('bench: run with --expose-gc (bench/bench.config.ts sets it)')
  for (let pass = 0; pass < 3; pass++) {
    gc()
    await sleep(50)
  }
  return process.memoryUsage().heapUsed
}

/**
 * Counts timers created by the stream code under test (this package's src/, partysocket, react-use-websocket and
 * the peers in bench/support/peers/) that have neither fired nor been cleared. Timers of React, jsdom and the query cache
 * are not counted: they are the same for every peer.
 */
export function trackStreamTimers() {
  /** Pending timer → where it was created (the caller's stack frame). */
  const pending = new Map<unknown, string>()
  const original = {
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
  }
  // Frame 0 is "Error", 1 this wrapper, 2 the caller of setTimeout.
  const streamCaller = () => {
    const frame = new Error().stack?.split('\n')[2] ?? ''
    return /\/src\/|partysocket|react-use-websocket|\/bench\/support\/peers/.test(frame)
      ? frame.trim().replace(/^at /, '').replace(process.cwd(), '')
      : undefined
  }
  globalThis.setTimeout = ((handler: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => {
    const caller = streamCaller()
    if (!caller) return original.setTimeout(handler, delay, ...args)
    const id = original.setTimeout(
      (...handlerArgs: unknown[]) => {
        pending.delete(id)
        handler(...handlerArgs)
      },
      delay,
      ...args,
    )
    pending.set(id, caller)
    return id
  }) as typeof setTimeout
  globalThis.setInterval = ((handler: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => {
    const caller = streamCaller()
    const id = original.setInterval(handler, delay, ...args)
    if (caller) pending.set(id, caller)
    return id
  }) as typeof setInterval
  globalThis.clearTimeout = ((id: Parameters<typeof clearTimeout>[0]) => {
    pending.delete(id)
    original.clearTimeout(id)
  }) as typeof clearTimeout
  globalThis.clearInterval = ((id: Parameters<typeof clearInterval>[0]) => {
    pending.delete(id)
    original.clearInterval(id)
  }) as typeof clearInterval
  return {
    pending: () => pending.size,
    /** Where the pending timers were created, with how many each. */
    sites: () => {
      const counts = new Map<string, number>()
      for (const site of pending.values()) counts.set(site, (counts.get(site) ?? 0) + 1)
      return Object.fromEntries(counts)
    },
    restore: () => Object.assign(globalThis, original),
  }
}
