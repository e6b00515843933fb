import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { benchBrowserJoin } from './browser-join.ts'
import { benchFailure } from './failure.ts'
import { checkGoals, goalsTable } from './goals.ts'
import { benchNodeDial } from './node-dial.ts'
import { PROPAGATION_SIZES, benchPropagation } from './propagation.ts'
import { fmt } from './stats.ts'
import type { Row } from './stats.ts'

const ROOT = new URL('../../', import.meta.url)
/** A smoke test: every bench small, and the published results left alone. */
const QUICK = process.env.MESH_BENCH_QUICK === '1'
const RUNS = Number(process.env.MESH_BENCH_RUNS ?? (QUICK ? 3 : 20))
const BROWSER_SIZES = QUICK ? [3] : [3, 10]

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

interface Outcome {
  rows: Row[]
  /** Benchmarks that threw, with why: reported, never dropped silently. */
  failures: string[]
  /** Wall time per benchmark, in seconds. */
  seconds: Record<string, number>
}

async function step(out: Outcome, name: string, fn: () => Promise<Row[]>): Promise<void> {
  const t0 = performance.now()
  try {
    out.rows.push(...(await fn()))
  } catch (err) {
    const why = (err as Error).message
    console.error(`bench: ${name} failed: ${why}`)
    out.failures.push(`${name}: ${why}`)
  }
  out.seconds[name] = Math.round((performance.now() - t0) / 100) / 10
}

async function main(): Promise<void> {
  const out: Outcome = { rows: [], failures: [], seconds: {} }
  const load0 = loadavg()
  await step(out, 'node-dial', async () => {
    console.log(`bench: node dial to first ping (${RUNS} runs)`)
    return [await benchNodeDial(RUNS)]
  })
  await step(out, 'browser-join', async () => {
    console.log(`bench: browser join (${RUNS} runs each)`)
    return benchBrowserJoin(new URL('apps/pwa/dist', ROOT).pathname, BROWSER_SIZES, RUNS)
  })
  for (const n of PROPAGATION_SIZES) {
    await step(out, `capability-propagation N = ${n}`, () => {
      console.log(`bench: capability propagation, N = ${n}`)
      return benchPropagation(n)
    })
  }
  await step(out, 'failure-detection', benchFailure)

  const { rows, failures, seconds } = out
  const goals = checkGoals(rows)
  const when = new Date().toISOString()
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`
  const load = `load average ${load0.map((l) => l.toFixed(1)).join(' ')} at the start, ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at the end`
  const results = QUICK ? 'bench/results/quick.json' : 'bench/results/latest.json'
  await mkdir(new URL('bench/results/', ROOT), { recursive: true })
  await writeFile(
    new URL(results, ROOT),
    JSON.stringify({ when, machine, load, quick: QUICK, seconds, goals, failures, rows }, null, 2) + '\n'
  )
  const md = `# Benchmarks

Produced by \`npm run bench\` (bench/src), ${when}, on ${machine}, ${load}. Raw numbers:
bench/results/latest.json. Each row is p50 and p99 over the runs shown, next to a
baseline measured in the same run on the same machine. These machines are noisy: read
medians and ratios, not single numbers.

## Goals

${goalsTable(goals)}

## Results

${table(rows)}
${failures.length === 0 ? '' : `\nDid not complete:\n\n${failures.map((f) => `- ${f}`).join('\n')}\n`}
Notes:

${rows
  .filter((r) => r.note !== undefined)
  .map((r) => `- ${r.bench} (${r.case}): ${r.note}`)
  .join('\n')}

Wall time per benchmark (s): ${Object.entries(seconds)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}.
`
  // A smoke run must not overwrite the published numbers.
  if (!QUICK) await writeFile(new URL('docs/BENCHMARKS.md', ROOT), md)
  console.log(table(rows))
  console.log(goalsTable(goals))
  if (failures.length > 0) {
    console.error(`bench: ${failures.length} failed:\n${failures.join('\n')}`)
    process.exitCode = 1
  }
}

await main()
