import { describe, expect, it } from 'vitest'
import { rendezvous } from '../src/index.ts'
import type { ActorBehaviour, Mesh } from '../src/index.ts'
import { startChildPeer } from './child-peer.ts'
import { Fleet, startDevice, startRelay, until, wsAddrs } from './helpers.ts'

const counter: ActorBehaviour<number, { add?: number; get?: true }> = {
  init: (args) => (typeof args === 'number' ? args : 0),
  handle(msg, n, ctx) {
    if (msg.get === true) ctx.reply(n)
    return n + (msg.add ?? 0)
  }
}

/** Wait until `m` sees `peer` healthy over a direct link. */
function linked(m: Mesh, peer: string): Promise<void> {
  return until(
    () => m.peers().some((p) => p.id === peer && p.link === 'tcp' && p.status === 'healthy'),
    15_000,
    `link to ${peer}`
  )
}

describe('work across processes (SIGKILL)', () => {
  it('a task with retries completes on another peer when its host is killed mid-task', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const victim = await startChildPeer(wsAddrs(relay), 'victim', {
      setup: `m.define('crunch', (args, ctx) => { console.log('crunching ' + ctx.attempt); return new Promise(() => {}) })`
    })
    try {
      const a = fleet.add(await startDevice(relay, { name: 'a' }))
      const c = fleet.add(await startDevice(relay, { name: 'c' }))
      const runs: Array<{ attempt: number; key: string }> = []
      c.define('crunch', (_args, ctx) => {
        runs.push({ attempt: ctx.attempt, key: ctx.idempotencyKey })
        return 'done on c'
      })
      await linked(a, victim.peerId)
      await until(() => a.resolve({ tasks: 'crunch' }).length === 2, 15_000, 'both offer crunch')
      let key = 0
      while (rendezvous(`k${key}`, [victim.peerId, c.peerId])[0] !== victim.peerId) key++
      const t = a.task<string>({}, 'crunch', null, { retries: 1, placement: { hash: `k${key}` } })
      expect(t.peer).toBe(victim.peerId)
      await victim.printed('crunching 1')
      await victim.kill('SIGKILL')
      expect(await t).toBe('done on c')
      expect(t.peer).toBe(c.peerId)
      expect(runs).toEqual([{ attempt: 2, key: expect.stringContaining(a.peerId) as string }])
    } finally {
      await victim.kill('SIGKILL')
    }
  })

  it('a supervised actor restarts on another peer, same pid, when its host is killed', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const victim = await startChildPeer(wsAddrs(relay), 'victim', {
      capabilities: { gpu: 2 },
      setup: `m.actor('counter', { init: (n) => n, handle(msg, n, ctx) { if (msg.get) ctx.reply(n); return n + (msg.add ?? 0) } })`
    })
    try {
      const a = fleet.add(await startDevice(relay, { name: 'a' }))
      const c = fleet.add(await startDevice(relay, { name: 'c' }))
      c.actor('counter', counter)
      await linked(a, victim.peerId)
      await linked(c, victim.peerId)
      await until(() => a.resolve({ gpu: 2, actors: 'counter' }).length === 1, 15_000, 'victim hosts counter')
      const child = await a.supervise({ id: 'render', needs: { gpu: 2 }, actor: 'counter', args: 7 })
      expect(child.pid.startsWith(victim.peerId)).toBe(true)
      expect(await a.call<number>(child.pid, { get: true })).toBe(7)
      // Only now does c become capable: it must adopt, not host from the start.
      await c.advertise({ gpu: 2 })
      await until(() => a.resolve({ gpu: 2, actors: 'counter' }).length === 2, 15_000, 'c capable')
      const restarted = new Promise<{ id: string; pid: string; peer: string }>((r) =>
        c.on('supervisor:restart', r)
      )
      await victim.kill('SIGKILL')
      expect(await restarted).toMatchObject({ id: 'render', pid: child.pid, peer: c.peerId })
      await expect
        .poll(() => a.call<number>(child.pid, { get: true }, { timeoutMs: 2_000 }).catch(() => -1), {
          timeout: 15_000
        })
        .toBe(7)
    } finally {
      await victim.kill('SIGKILL')
    }
  })
})
