/** The three ways people stream without this package, each run at library defaults and tuned. */
export type OtherPeerKind = 'naive' | 'react-use-websocket' | 'upstream-style'

/** The implementations compared: this package, and each other way at its defaults and as a competent user tunes it. */
export type PeerName = 'ours' | OtherPeerKind | `${OtherPeerKind} (tuned)`

export interface Metric {
  key: string
  label: string
  /** Which way is better, for ratios and for saying where ours loses; `none` for context columns. */
  better: 'lower' | 'higher' | 'none'
  /** Decimals shown. @default 0 */
  digits?: number
  /** Differences this small are noise: a loss within it is said to be. */
  noise?: number
  /** How a row is set against ours in the report: a ratio, or (for values that can be 0 or negative) a difference. */
  compare?: 'ratio' | 'difference'
}

export interface ResultRow {
  /** Rows with the same group are compared with each other (e.g. the same N). */
  group: string
  peer: string
  medians: Record<string, number | null>
  /** Every run's value, for the record. */
  samples: Record<string, Array<number | null>>
}

export interface ResultTable {
  caption: string
  metrics: Metric[]
  rows: ResultRow[]
  /** The row ratios are taken against, per group. @default 'ours' */
  baseline?: string
}

/** What a scenario file writes; `bench/report.mjs` turns it into a section of BENCHMARKS.md. */
export interface ScenarioResult {
  id: string
  title: string
  runs: number
  /** How it was measured, in a few sentences. */
  method: string
  /** What was made smaller than the issue asked, and why. */
  scaledDown: string[]
  tables: ResultTable[]
  /** Plain words, written from the numbers. */
  meaning: string[]
  /** One line for the summary at the top of BENCHMARKS.md, written from the numbers. */
  headline: string[]
  /** Where another row beat ours, written from the numbers. */
  losses: string[]
  durationSeconds: number
}

export function median(values: ReadonlyArray<number | null>): number | null {
  const numbers = values.filter((value): value is number => value !== null && Number.isFinite(value))
  if (numbers.length === 0) return null
  const sorted = [...numbers].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** The value below which `fraction` of `values` fall (nearest rank). */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))
  return sorted[rank] as number
}

/** Collects one value per metric per run for each (group, peer) row, and gives medians. */
export class Samples {
  private readonly rows = new Map<string, ResultRow>()

  constructor(private readonly metrics: Metric[]) {}

  add(group: string, peer: string, values: Record<string, number | null>): void {
    const key = `${group}\u0000${peer}`
    let row = this.rows.get(key)
    if (!row) {
      row = { group, peer, medians: {}, samples: {} }
      this.rows.set(key, row)
    }
    for (const metric of this.metrics) {
      const value = values[metric.key]
      const samples = row.samples[metric.key] ?? []
      samples.push(value === undefined ? null : value)
      row.samples[metric.key] = samples
    }
  }

  /** Every run's value, in the order they were added. */
  values(group: string, peer: string, key: string): Array<number | null> {
    return this.rows.get(`${group}\u0000${peer}`)?.samples[key] ?? []
  }

  median(group: string, peer: string, key: string): number | null {
    return median(this.rows.get(`${group}\u0000${peer}`)?.samples[key] ?? [])
  }

  table(caption: string, baseline = 'ours'): ResultTable {
    const rows = [...this.rows.values()].map((row) => ({
      ...row,
      medians: Object.fromEntries(this.metrics.map((metric) => [metric.key, median(row.samples[metric.key] ?? [])])),
    }))
    return { caption, metrics: this.metrics, rows, baseline }
  }
}

export function format(value: number | null, digits = 0): string {
  if (value === null) return 'n/a'
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/** "how many times ours" in words, e.g. "20× ours" or "the same". */
export function timesOurs(value: number | null, ours: number | null): string {
  if (value === null || ours === null) return 'n/a'
  if (value === ours) return 'the same as ours'
  if (ours === 0) return `${format(value)} where ours has 0`
  const ratio = value / ours
  return ratio >= 1 ? `${format(ratio, ratio < 10 ? 1 : 0)}× ours` : `ours is ${format(1 / ratio, 1)}× that`
}

/** Marks a loss smaller than the metric's noise. */
export const WITHIN_NOISE = 'within the noise'

/** Every (group, metric) where another row is strictly better than ours (by median), in words. */
export function lossesOf(table: ResultTable): string[] {
  const baseline = table.baseline ?? 'ours'
  const losses: string[] = []
  const groups = [...new Set(table.rows.map((row) => row.group))]
  for (const group of groups) {
    const ours = table.rows.find((row) => row.group === group && row.peer === baseline)
    if (!ours) continue
    for (const metric of table.metrics) {
      const oursValue = ours.medians[metric.key]
      if (metric.better === 'none' || oursValue === null || oursValue === undefined) continue
      const better = table.rows.filter((row) => {
        const value = row.medians[metric.key]
        if (row.group !== group || row.peer === baseline || value === null || value === undefined) return false
        return metric.better === 'lower' ? value < oursValue : value > oursValue
      })
      if (better.length === 0) continue
      const withinNoise = better.every(
        (row) =>
          metric.noise !== undefined && Math.abs((row.medians[metric.key] as number) - oursValue) <= metric.noise,
      )
      const where = [table.caption, group].filter(Boolean).join(', ')
      const others = better.map((row) => `${row.peer} ${format(row.medians[metric.key] ?? null, metric.digits)}`)
      losses.push(
        `${where}: ${metric.label}: ours ${format(oursValue, metric.digits)}; ${others.join(', ')}` +
          (withinNoise ? ` (${WITHIN_NOISE} of ±${metric.noise})` : ''),
      )
    }
  }
  return losses
}

/**
 * One metric of one group for every peer, ours first: "ours 16; naive 5 (ours is 3.2× that), naive (tuned) 5 (…), …".
 * Headlines use it so that no peer is left out of a comparison. `difference` sets values against ours by subtraction
 * (for values that can be 0 or negative, like a heap delta).
 */
export function oursAgainstEvery(
  samples: Samples,
  group: string,
  key: string,
  names: readonly string[],
  {
    unit = '',
    digits = 0,
    difference = false,
    ours: oursName = 'ours',
  }: { unit?: string; digits?: number; difference?: boolean; ours?: string } = {},
): string {
  const ours = samples.median(group, oursName, key)
  const against = (value: number | null) => {
    if (!difference || value === null || ours === null) return timesOurs(value, ours)
    const delta = value - ours
    return delta === 0 ? 'the same as ours' : `${delta > 0 ? '+' : '−'}${format(Math.abs(delta), digits)} against ours`
  }
  const others = names
    .filter((name) => name !== oursName)
    .map((name) => {
      const value = samples.median(group, name, key)
      return `${name} ${format(value, digits)}${unit} (${against(value)})`
    })
  return `${oursName} ${format(ours, digits)}${unit}; ${others.join(', ')}`
}
