import { mkdir, writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { benchBrowserJoin } from './browser-join.ts'
import { benchNodeDial } from './node-dial.ts'
import { fmt } from './stats.ts'
import type { Row } from './stats.ts'

const ROOT = new URL('../../', import.meta.url)
const RUNS = Number(process.env.MESH_BENCH_RUNS ?? 20)

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

async function main(): Promise<void> {
  const rows: Row[] = []
  console.log(`bench: node dial to first ping (${RUNS} runs)`)
  rows.push(await benchNodeDial(RUNS))
  console.log(`bench: browser join (${RUNS} runs each)`)
  rows.push(...(await benchBrowserJoin(new URL('apps/pwa/dist', ROOT).pathname, [3, 10], RUNS)))
  const when = new Date().toISOString()
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`
  await mkdir(new URL('bench/results/', ROOT), { recursive: true })
  await writeFile(
    new URL('bench/results/latest.json', ROOT),
    JSON.stringify({ when, machine, rows }, null, 2) + '\n'
  )
  const md = `# Benchmarks

Produced by \`npm run bench\` (bench/src), ${when}, on ${machine}. Raw numbers:
bench/results/latest.json. Each row is p50 and p99 over the runs shown, next to a
baseline measured in the same run on the same machine. These machines are noisy: read
medians and ratios, not single numbers.

${table(rows)}

${rows
  .filter((r) => r.note !== undefined)
  .map((r) => `- ${r.bench} (${r.case}): ${r.note}`)
  .join('\n')}
`
  await writeFile(new URL('docs/BENCHMARKS.md', ROOT), md)
  console.log(table(rows))
}

await main()
