import { fmt } from './stats.ts'
import type { Row, Summary } from './stats.ts'

/** A target the benchmarks check: which row, which statistic, and the bound. */
interface Goal {
  what: string
  bench: string
  /** The start of the row's case, or a test on the whole case. */
  case: string | ((c: string) => boolean)
  stat: keyof Pick<Summary, 'p50' | 'p95' | 'p99'>
  /** At most this (latencies), or at least `min` (throughput), or at most `maxRatio` × the baseline. */
  maxMs?: number
  /** Memory: at most this many MB; the row's unit must be `MB` (10⁶ bytes). */
  maxMb?: number
  min?: number
  maxRatio?: number
  /** Throughput: at most this many times slower than the baseline (baseline ÷ measured). */
  maxSlowdown?: number
}

const nodeSeq = (c: string): boolean => c.startsWith('Node↔Node') && c.endsWith('sequential')

export const GOALS: Goal[] = [
  {
    what: 'change propagation p99 ≤ 300 ms at N = 50',
    bench: 'capability-propagation',
    case: 'N = 50',
    stat: 'p99',
    maxMs: 300
  },
  {
    what: 'silent death detected p95 ≤ 3 s',
    bench: 'failure-detection',
    case: 'silent death',
    stat: 'p95',
    maxMs: 3_000
  },
  {
    what: 'graceful leave seen everywhere ≤ 1 s (p99)',
    bench: 'failure-detection',
    case: 'graceful leave',
    stat: 'p99',
    maxMs: 1_000
  },
  {
    what: 'Node↔Node sequential task round trip p50 ≤ 1 ms',
    bench: 'task-round-trip',
    case: nodeSeq,
    stat: 'p50',
    maxMs: 1
  },
  {
    what: 'Node↔Node pipelined ≥ 10,000 tasks/s (p50 of runs)',
    bench: 'task-throughput',
    case: (c) => c.startsWith('Node↔Node') && c.includes('pipelined'),
    stat: 'p50',
    min: 10_000
  },
  {
    what: 'browser↔browser task round trip p50 ≤ 5 ms',
    bench: 'task-round-trip',
    case: (c) => c.startsWith('browser↔browser'),
    stat: 'p50',
    maxMs: 5
  },
  {
    what: 'task round trip overhead ≤ 1.5× the raw echo (Node↔Node, p50)',
    bench: 'task-round-trip',
    case: nodeSeq,
    stat: 'p50',
    maxRatio: 1.5
  },
  {
    what: 'pipelined task throughput overhead ≤ 1.5× the raw echo (Node↔Node)',
    bench: 'task-throughput',
    case: (c) => c.startsWith('Node↔Node') && c.includes('pipelined'),
    stat: 'p50',
    maxSlowdown: 1.5
  },
  {
    what: 'actor send throughput overhead ≤ 1.5× raw one-way frames (Node↔Node)',
    bench: 'actor-send-throughput',
    case: (c) => c.startsWith('Node↔Node'),
    stat: 'p50',
    maxSlowdown: 1.5
  },
  {
    what: 'Node↔Node handoff of a 1 MiB actor state ≤ 150 ms on loopback (p95)',
    bench: 'actor-handoff',
    case: (c) => c.startsWith('Node↔Node') && c.endsWith(', 1 MiB state'),
    stat: 'p95',
    maxMs: 150
  },
  {
    what: 'longest pause a steady sender sees during a small-state (1 KiB) handoff ≤ 50 ms (Node↔Node, p95)',
    bench: 'actor-handoff-pause',
    case: (c) => c.startsWith('Node↔Node') && c.includes(', 1 KiB state'),
    stat: 'p95',
    maxMs: 50
  },
  {
    what: 'audible gap when the music session moves ≤ 150 ms (p95, browser↔browser)',
    bench: 'music-gap',
    case: 'audible gap',
    stat: 'p95',
    maxMs: 150
  },
  {
    what: 'idle mesh-bridge RSS ≤ 80 MB (p50)',
    bench: 'bridge-idle-rss',
    case: (c) => c.startsWith('mesh-bridge,'),
    stat: 'p50',
    maxMb: 80
  }
]

export interface GoalResult {
  goal: string
  measured: string
  verdict: 'met' | 'missed' | 'not measured'
}

export function checkGoals(rows: Row[]): GoalResult[] {
  return GOALS.map((g) => {
    const matchCase = (c: string): boolean =>
      typeof g.case === 'function' ? g.case(c) : c === g.case || c.startsWith(`${g.case} `)
    const row = rows.find((r) => r.bench === g.bench && matchCase(r.case))
    if (row === undefined) return { goal: g.what, measured: '', verdict: 'not measured' }
    const v = row.result[g.stat]
    const base = row.baseline?.result[g.stat]
    let measured = `${g.stat} ${fmt(v)} ${row.unit} (p50 ${fmt(row.result.p50)} ${row.unit}, ${row.result.runs} runs)`
    let ok: boolean
    if (g.maxRatio !== undefined) {
      const ratio = base === undefined ? NaN : v / base
      measured = `${fmt(ratio)}× (${g.stat} ${fmt(v)} ${row.unit} against ${fmt(base ?? NaN)} ${row.unit})`
      ok = ratio <= g.maxRatio
    } else if (g.maxSlowdown !== undefined) {
      const slowdown = base === undefined ? NaN : base / v
      measured = `${fmt(slowdown)}× slower (${fmt(v)} against ${fmt(base ?? NaN)} ${row.unit})`
      ok = slowdown <= g.maxSlowdown
    } else if (g.min !== undefined) ok = v >= g.min
    else if (g.maxMb !== undefined) ok = row.unit === 'MB' && v <= g.maxMb
    else ok = v <= (g.maxMs ?? Infinity)
    return { goal: g.what, measured, verdict: Number.isFinite(v) && ok ? 'met' : 'missed' }
  })
}

export function goalsTable(results: GoalResult[]): string {
  return [
    '| goal | measured | verdict |',
    '|---|---|---|',
    ...results.map((r) => `| ${r.goal} | ${r.measured} | ${r.verdict} |`)
  ].join('\n')
}
