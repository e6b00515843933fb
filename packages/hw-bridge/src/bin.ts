#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8'

// Memory before speed: a Pi Zero 2 has 512 MB. A 1 MB young generation, V8's
// optimize-for-size and no optimizing compilers (TurboFan, Maglev; the interpreter and
// Sparkplug still carry a 100 Hz sensor.stream) each take MBs off the idle bridge; the
// README has the figures (docs/BENCHMARKS.md). V8 takes them at run time, but only
// before the code that fills the heap loads, so the CLI is imported after. A flag given
// on the command line or in NODE_OPTIONS wins, in either form (`--opt` over `--no-opt`).
const FLAGS = ['--max-semi-space-size=1', '--optimize-for-size', '--no-opt', '--no-maglev']
const nameOf = (flag: string): string =>
  (flag.split('=')[0] ?? flag).replaceAll('_', '-').replace(/^--(no-)?/, '')
const given = new Set(
  `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`.split(/\s+/).map(nameOf)
)
for (const flag of FLAGS) if (!given.has(nameOf(flag))) setFlagsFromString(flag)
const { main } = await import('./cli.ts')

let stopping = false
const stopSignal = new Promise<string>((resolve) => {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      // A second signal means "now".
      if (stopping) process.exit(1)
      stopping = true
      resolve(sig)
    })
  }
})

const code = await main(process.argv.slice(2), {
  out: (l) => console.log(l),
  err: (l) => console.error(l),
  stopSignal
})
process.exit(code)
