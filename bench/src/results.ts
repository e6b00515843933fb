/**
 * The results file and docs/BENCHMARKS.md. A run may cover only some steps (`bash
 * bench/run.sh propagation`): its rows, failures and wall times then replace those of the
 * same steps in the previous results, and the rest are kept with the date they were
 * measured, so the document always shows the latest measurement of every benchmark.
 */
import { readFile } from 'node:fs/promises'
import { goalsTable } from './goals.ts'
import type { GoalResult } from './goals.ts'
import { fmt } from './stats.ts'
import type { Row } from './stats.ts'

/** When a step was last run, and on what. */
export interface StepRun {
  when: string
  machine: string
  load: string
}

export interface Results {
  when: string
  machine: string
  load: string
  quick: boolean
  seconds: Record<string, number>
  goals: GoalResult[]
  failures: string[]
  rows: Row[]
  /** Per step, the run that last measured it. */
  steps: Record<string, StepRun>
}

/** The step a row of an older results file (without `step`) came from. */
function stepOfRow(r: Row): string {
  if (r.step !== undefined) return r.step
  if (r.bench === 'node-dial-to-first-ping') return 'node-dial'
  if (r.bench === 'mesh-settle' || r.bench === 'capability-propagation')
    return `capability-propagation ${/^N = \d+/.exec(r.case)?.[0] ?? r.case}`
  return r.bench
}

function stepOfFailure(f: string, steps: string[]): string | undefined {
  return steps.find((s) => f.startsWith(`${s}: `))
}

export async function readResults(file: URL): Promise<Results | undefined> {
  try {
    const r = JSON.parse(await readFile(file, 'utf8')) as Partial<Results>
    if (!Array.isArray(r.rows) || typeof r.when !== 'string') return undefined
    const steps: Record<string, StepRun> = { ...r.steps }
    const run: StepRun = { when: r.when, machine: r.machine ?? '', load: r.load ?? '' }
    for (const row of r.rows) steps[stepOfRow(row)] ??= run
    for (const s of Object.keys(r.seconds ?? {})) steps[s] ??= run
    return {
      when: r.when,
      machine: run.machine,
      load: run.load,
      quick: r.quick === true,
      seconds: r.seconds ?? {},
      goals: r.goals ?? [],
      failures: r.failures ?? [],
      rows: r.rows.map((row) => ({ ...row, step: stepOfRow(row) })),
      steps
    }
  } catch {
    return undefined
  }
}

/**
 * This run's results on top of the previous ones: every step it ran replaces that step's
 * rows, failures and wall time. `order` is every step name in run order.
 */
export function merge(prev: Results | undefined, cur: Results, ran: string[], order: string[]): Results {
  if (prev === undefined) return cur
  const keep = (s: string | undefined): boolean => s === undefined || !ran.includes(s)
  const steps = { ...prev.steps, ...cur.steps }
  const rank = (s: string): number => {
    const i = order.indexOf(s)
    return i < 0 ? order.length : i
  }
  const rows = [...prev.rows.filter((r) => keep(r.step)), ...cur.rows].sort(
    (a, b) => rank(a.step ?? '') - rank(b.step ?? '')
  )
  const failures = [
    ...prev.failures.filter((f) => keep(stepOfFailure(f, [...order, ...Object.keys(prev.steps)]))),
    ...cur.failures
  ]
  const seconds = Object.fromEntries(
    Object.entries({ ...prev.seconds, ...cur.seconds }).sort(([a], [b]) => rank(a) - rank(b))
  )
  return { ...cur, rows, failures, seconds, steps }
}

function table(rows: Row[]): string {
  const out = [
    '| benchmark | case | p50 | p99 | baseline | baseline p50 | baseline p99 | ratio (p50) | runs |',
    '|---|---|---|---|---|---|---|---|---|'
  ]
  for (const r of rows) {
    const b = r.baseline
    const ratio = b === undefined ? '' : (r.result.p50 / b.result.p50).toFixed(2) + '×'
    out.push(
      `| ${r.bench} | ${r.case} | ${fmt(r.result.p50)} ${r.unit} | ${fmt(r.result.p99)} ${r.unit} | ${b?.what ?? ''} | ${b === undefined ? '' : fmt(b.result.p50) + ' ' + r.unit} | ${b === undefined ? '' : fmt(b.result.p99) + ' ' + r.unit} | ${ratio} | ${r.result.runs} |`
    )
  }
  return out.join('\n')
}

export { table as resultsTable }

/** "Produced by …": one line per run that the document's numbers come from. */
function provenance(r: Results): string {
  const byWhen = new Map<string, { run: StepRun; steps: string[] }>()
  for (const [step, run] of Object.entries(r.steps)) {
    const e = byWhen.get(run.when) ?? { run, steps: [] }
    e.steps.push(step)
    byWhen.set(run.when, e)
  }
  const runs = [...byWhen.values()].sort((a, b) => a.run.when.localeCompare(b.run.when))
  if (runs.length <= 1) return `${r.when}, on ${r.machine}, ${r.load}`
  const one = new Set(runs.map(({ run }) => run.machine)).size === 1
  const each = runs.map(
    ({ run, steps }) => `${run.when}${one ? '' : ` on ${run.machine}`}: ${steps.join(', ')} (${run.load})`
  )
  return (
    `${runs.length} runs${one ? ` on ${r.machine}` : ''} (a partial run replaces only its own ` +
    `benchmarks): ${each.join('; ')}`
  )
}

/** How each propagation size ran, from the case labels. */
function howRun(rows: Row[]): string {
  const cases = rows.filter((r) => r.bench === 'capability-propagation').map((r) => r.case)
  if (cases.length === 0) return ''
  return (
    `\nHow the fleets ran: ${cases.join(', ')}. "in-process" is every peer in the bench's ` +
    'own process; "P processes" is the devices spread over P worker processes ' +
    '(bench/dist/fleet-worker.js) with the relay and the advertiser in the bench process. ' +
    'Past N = 10 the health settings are relaxed by (N / 10)² (see each note): the two cores ' +
    "carry every peer's heartbeats and pings, which grow as N², while a real device carries 1/N of them.\n"
  )
}

export function markdown(r: Results): string {
  return `# Benchmarks

Produced by \`npm run bench\` (bench/src), ${provenance(r)}. Raw numbers:
bench/results/latest.json. Each row is p50 and p99 over the runs shown, next to a
baseline measured in the same run on the same machine. These machines are noisy: read
medians and ratios, not single numbers.

## Goals

${goalsTable(r.goals)}

## Results

${table(r.rows)}
${howRun(r.rows)}${r.failures.length === 0 ? '' : `\nDid not complete:\n\n${r.failures.map((f) => `- ${f}`).join('\n')}\n`}
Notes:

${r.rows
  .filter((x) => x.note !== undefined)
  .map((x) => `- ${x.bench} (${x.case}): ${x.note}`)
  .join('\n')}

Wall time per benchmark (s): ${Object.entries(r.seconds)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}.
`
}
