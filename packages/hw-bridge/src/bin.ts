#!/usr/bin/env node
import { main } from './cli.ts'

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
