#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8'

// Memory before speed: a Pi Zero 2 has 512 MB. A 1 MB young generation and V8's
// optimize-for-size take the idle bridge from about 153 to 122 MB (docs/BENCHMARKS.md).
// V8 takes them at run time, but only before the code that fills the heap loads, so the
// CLI is imported after. A value given on the command line or in NODE_OPTIONS wins.
const given = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`
for (const flag of ['--max-semi-space-size=1', '--optimize-for-size']) {
  const name = flag.split('=')[0] ?? flag
  if (!given.includes(name) && !given.includes(name.replaceAll('-', '_'))) setFlagsFromString(flag)
}
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
