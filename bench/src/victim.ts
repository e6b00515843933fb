/**
 * A device peer in its own process, for the failure bench to SIGKILL: started by
 * victim-process.ts with the relay's addresses as arguments, it joins with the mesh's
 * defaults and reports its peer id over IPC. It stops on `{ type: 'stop' }`, when the
 * bench goes away, or after MAX_LIFETIME_MS, whichever comes first.
 */
import { createMesh } from 'mesh-core'
import { childLife } from './child-life.ts'
import { deviceOptions } from './fleet.ts'
import { parseFromVictim, parseToVictim } from './victim-protocol.ts'
import type { FromVictim } from './victim-protocol.ts'

const MAX_LIFETIME_MS = 120_000

function send(msg: FromVictim): void {
  process.send?.(parseFromVictim(msg))
}

const { hold, exit } = childLife(MAX_LIFETIME_MS)
process.on('message', (raw: unknown) => {
  try {
    const cmd = parseToVictim(raw)
    switch (cmd.type) {
      case 'stop':
        void exit(0)
        break
    }
  } catch (err) {
    console.error(`victim: ${(err as Error).message}`)
  }
})

try {
  const [name, ...bootstrap] = process.argv.slice(2)
  if (name === undefined || bootstrap.length === 0) throw new Error('usage: victim.js <name> <bootstrap…>')
  // Mesh defaults for health: the numbers must describe what users get.
  const mesh = await createMesh(deviceOptions(bootstrap, name))
  hold(mesh)
  send({ type: 'ready', peerId: mesh.peerId })
} catch (err) {
  send({ type: 'failed', message: (err as Error).message })
  await exit(2)
}
