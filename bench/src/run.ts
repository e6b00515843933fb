/**
 * Runs the benchmarks and writes bench/results/latest.json and docs/BENCHMARKS.md (the
 * quick mode, MESH_BENCH_QUICK=1, writes bench/results/quick.json only).
 *
 *   node bench/dist/run.js [filter…]
 *
 * Each filter selects the steps whose name contains it (case-insensitive), e.g.
 * `propagation` (every size), `'propagation N = 200'`, `browser`, `failure`, `bridge`. A partial
 * run replaces only its steps in the results; the others are kept (see results.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { BRIDGE_STEPS } from './bridge-steps.ts'
import { BROWSER_JOIN_SIZES, benchBrowserJoin } from './browser-join.ts'
import { benchFailure } from './failure.ts'
import { checkGoals, goalsTable } from './goals.ts'
import { HANDOFF_STEPS } from './handoff-steps.ts'
import { benchNodeDial } from './node-dial.ts'
import { PROPAGATION_SIZES, benchPropagation } from './propagation.ts'
import { markdown, merge, readResults, resultsTable } from './results.ts'
import type { Results } from './results.ts'
import type { Row } from './stats.ts'
import { WORK_STEPS } from './work-steps.ts'

const ROOT = new URL('../../', import.meta.url)
/** A smoke test: every bench small, and the published results left alone. */
const QUICK = process.env.MESH_BENCH_QUICK === '1'
const RUNS = Number(process.env.MESH_BENCH_RUNS ?? (QUICK ? 3 : 20))

interface Step {
  name: string
  run(): Promise<Row[]>
}

const STEPS: Step[] = [
  {
    name: 'node-dial',
    run: async () => {
      console.log(`bench: node dial to first ping (${RUNS} runs)`)
      return [await benchNodeDial(RUNS)]
    }
  },
  {
    name: 'browser-join',
    run: () => {
      console.log(`bench: browser join (${RUNS} runs each)`)
      return benchBrowserJoin(new URL('apps/pwa/dist', ROOT).pathname, BROWSER_JOIN_SIZES, RUNS)
    }
  },
  ...PROPAGATION_SIZES.map((n) => ({
    name: `capability-propagation N = ${n}`,
    run: () => {
      console.log(`bench: capability propagation, N = ${n}`)
      return benchPropagation(n)
    }
  })),
  { name: 'failure-detection', run: benchFailure },
  ...WORK_STEPS,
  ...HANDOFF_STEPS,
  ...BRIDGE_STEPS
]

function selected(filters: string[]): Step[] {
  if (filters.length === 0) return STEPS
  const f = filters.map((x) => x.toLowerCase())
  const out = STEPS.filter((s) => f.some((x) => s.name.toLowerCase().includes(x)))
  if (out.length === 0)
    throw new Error(
      `no benchmark matches ${filters.join(', ')}; steps: ${STEPS.map((s) => s.name).join(', ')}`
    )
  return out
}

async function main(): Promise<void> {
  const steps = selected(process.argv.slice(2))
  const rows: Row[] = []
  const failures: string[] = []
  const seconds: Record<string, number> = {}
  const load0 = loadavg()
  for (const s of steps) {
    const t0 = performance.now()
    try {
      rows.push(...(await s.run()).map((r) => ({ ...r, step: s.name })))
    } catch (err) {
      const why = (err as Error).message
      console.error(`bench: ${s.name} failed: ${why}`)
      failures.push(`${s.name}: ${why}`)
    }
    seconds[s.name] = Math.round((performance.now() - t0) / 100) / 10
  }

  const when = new Date().toISOString()
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`
  const load = `load average ${load0.map((l) => l.toFixed(1)).join(' ')} at the start, ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at the end`
  const file = new URL(QUICK ? 'bench/results/quick.json' : 'bench/results/latest.json', ROOT)
  const run = { when, machine, load }
  const cur: Results = {
    ...run,
    quick: QUICK,
    seconds,
    goals: [],
    failures,
    rows,
    steps: Object.fromEntries(steps.map((s) => [s.name, run]))
  }
  const ran = steps.map((s) => s.name)
  // A full run stands alone; a partial one is merged into what the last runs measured.
  const out = merge(
    ran.length === STEPS.length ? undefined : await readResults(file),
    cur,
    ran,
    STEPS.map((s) => s.name)
  )
  out.goals = checkGoals(out.rows)
  await mkdir(new URL('bench/results/', ROOT), { recursive: true })
  await writeFile(file, JSON.stringify(out, null, 2) + '\n')
  // A smoke run must not overwrite the published numbers.
  if (!QUICK) await writeFile(new URL('docs/BENCHMARKS.md', ROOT), markdown(out))
  console.log(resultsTable(rows))
  console.log(goalsTable(out.goals))
  if (failures.length > 0) {
    console.error(`bench: ${failures.length} failed:\n${failures.join('\n')}`)
    process.exitCode = 1
  }
}

await main()
// Every step stops what it started, but a step that failed half-way (or a library's
// lingering handle) must not keep `npm run bench` from returning: the results are written.
process.exit(process.exitCode ?? 0)
