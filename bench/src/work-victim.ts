/**
 * A device in its own process for the supervised-restart bench (work-restart.ts): it
 * joins, defines actor `<actor>`, supervises child `<id>` (it is the only peer defining
 * the actor then, so it hosts the child), advertises `benchChild: <id>` once the child is
 * in its record, and reports `{ type: 'ready', peerId, pid }` over IPC. Then it waits to
 * be SIGKILLed; it exits when the bench goes away or after MAX_LIFETIME_MS.
 *
 *   work-victim.js <name> <actor> <id> <bootstrap…>
 */
import { createMesh } from 'mesh-core'
import { childLife } from './child-life.ts'
import { deviceOptions } from './fleet.ts'

const MAX_LIFETIME_MS = 120_000

export type FromWorkVictim =
  { type: 'ready'; peerId: string; pid: string } | { type: 'failed'; message: string }

function send(msg: FromWorkVictim): void {
  process.send?.(msg)
}

const { hold, exit } = childLife(MAX_LIFETIME_MS)

try {
  const [name, actor, id, ...bootstrap] = process.argv.slice(2)
  if (name === undefined || actor === undefined || id === undefined || bootstrap.length === 0)
    throw new Error('usage: work-victim.js <name> <actor> <id> <bootstrap…>')
  // Mesh defaults for health: the numbers must describe what users get.
  const mesh = await createMesh(deviceOptions(bootstrap, name))
  hold(mesh)
  mesh.actor(actor, {
    init: () => 0,
    handle(msg: unknown, n: number, ctx) {
      if (msg === 1) return n + 1
      ctx.reply(msg === 'get' ? n : msg)
      return n
    }
  })
  const child = await mesh.supervise({ id, needs: {}, actor })
  await mesh.advertise({ benchChild: id })
  send({ type: 'ready', peerId: mesh.peerId, pid: child.pid })
} catch (err) {
  send({ type: 'failed', message: (err as Error).message })
  await exit(2)
}
