import { fmt } from './stats.ts'
import type { Row, Summary } from './stats.ts'

/** A target the benchmarks check: which row, which statistic, and the bound. */
interface Goal {
  what: string
  bench: string
  /** The start of the row's case. */
  case: string
  stat: keyof Pick<Summary, 'p50' | 'p95' | 'p99'>
  maxMs: number
}

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
  }
]

export interface GoalResult {
  goal: string
  measured: string
  verdict: 'met' | 'missed' | 'not measured'
}

export function checkGoals(rows: Row[]): GoalResult[] {
  return GOALS.map((g) => {
    const row = rows.find(
      (r) => r.bench === g.bench && (r.case === g.case || r.case.startsWith(`${g.case} `))
    )
    if (row === undefined) return { goal: g.what, measured: '', verdict: 'not measured' }
    const v = row.result[g.stat]
    const measured = `${g.stat} ${fmt(v)} ${row.unit} (p50 ${fmt(row.result.p50)} ${row.unit}, ${row.result.runs} runs)`
    return { goal: g.what, measured, verdict: Number.isFinite(v) && v <= g.maxMs ? 'met' : 'missed' }
  })
}

export function goalsTable(results: GoalResult[]): string {
  return [
    '| goal | measured | verdict |',
    '|---|---|---|',
    ...results.map((r) => `| ${r.goal} | ${r.measured} | ${r.verdict} |`)
  ].join('\n')
}
