#!/usr/bin/env node
import { main } from './cli.js'

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  // Exit explicitly: after a forced stop, libp2p may still hold sockets and timers open.
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('mesh-relay: unexpected failure:', err)
    process.exit(1)
  }
)
