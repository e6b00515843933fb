/** Nearest-rank percentile of a sample (q in 0..1). */
export function percentile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN
  const sorted = [...xs].sort((a, b) => a - b)
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[i] as number
}

export interface Summary {
  runs: number
  p50: number
  p95: number
  p99: number
  min: number
  max: number
}

export function summarise(xs: number[]): Summary {
  return {
    runs: xs.length,
    p50: percentile(xs, 0.5),
    p95: percentile(xs, 0.95),
    p99: percentile(xs, 0.99),
    min: Math.min(...xs),
    max: Math.max(...xs)
  }
}

/** One benchmark row: what was measured, next to its baseline from the same run. */
export interface Row {
  bench: string
  case: string
  unit: string
  result: Summary
  baseline?: { what: string; result: Summary }
  note?: string
  /** The run.ts step that produced the row (a partial run replaces its steps' rows only). */
  step?: string
  /** The raw runs, for whoever wants more than the summary (in `unit`, rounded to 0.1). */
  samples?: { result: number[]; baseline?: number[] }
}

/** Runs rounded for the JSON results. */
export function samplesOf(result: number[], baseline?: number[]): NonNullable<Row['samples']> {
  const r = (xs: number[]): number[] => xs.map((x) => Math.round(x * 10) / 10)
  return baseline === undefined ? { result: r(result) } : { result: r(result), baseline: r(baseline) }
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return 'n/a'
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)
}
