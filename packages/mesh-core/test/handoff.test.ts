import { describe, expect, it } from 'vitest'
import type { ActorBehaviour, Mesh } from '../src/index.ts'
import { startChildPeer } from './child-peer.ts'
import { Fleet, startDevice, startRelay, until, wsAddrs } from './helpers.ts'

interface Count {
  n: number
  last: number
  outOfOrder: number
  blob?: string
}

/** Applies numbered messages and counts any that come out of order. */
const counter = (
  hooks: { before?: () => void } = {}
): ActorBehaviour<Count, { i?: number; get?: true; crash?: true }> => ({
  init: (args) => ({ n: 0, last: -1, outOfOrder: 0, ...(typeof args === 'string' ? { blob: args } : {}) }),
  handle(msg, s, ctx) {
    if (msg.crash === true) throw new Error('crashed after moving')
    if (msg.get === true) {
      ctx.reply({ n: s.n, last: s.last, outOfOrder: s.outOfOrder, blob: s.blob?.length ?? 0 })
      return undefined
    }
    const i = msg.i ?? -1
    return { ...s, n: s.n + 1, last: i, outOfOrder: s.outOfOrder + (i === s.last + 1 ? 0 : 1) }
  },
  beforeHandoff: (s) => {
    hooks.before?.()
    return s
  }
})

async function linkedFleet(fleet: Fleet, n: number): Promise<Mesh[]> {
  const relay = fleet.add(await startRelay())
  const ms: Mesh[] = []
  for (let i = 0; i < n; i++) ms.push(fleet.add(await startDevice(relay, { name: `h${i}` })))
  await until(
    () => ms.every((m) => m.peers().filter((p) => p.link === 'tcp').length >= n - 1),
    15_000,
    'links'
  )
  return ms
}

describe('handoff', () => {
  it(
    '10,000 messages while the actor moves back and forth 20 times: each applied once, in order',
    { timeout: 120_000 },
    async () => {
      await using fleet = new Fleet()
      const [a, b, sender] = (await linkedFleet(fleet, 3)) as [Mesh, Mesh, Mesh]
      for (const m of [a, b]) m.actor('counter', counter())
      const pid = await sender.spawn({}, 'counter', null, { peer: a.peerId })
      const downs: string[] = []
      sender.monitor(pid, (d) => downs.push(d.reason))
      await sender.register('the-counter', pid)
      const total = 10_000
      let sent = 0
      const pump = (async () => {
        while (sent < total) {
          for (let k = 0; k < 100 && sent < total; k++) sender.send(pid, { i: sent++ }, { priority: 'high' })
          await new Promise<void>((r) => setImmediate(r))
        }
      })()
      const answers: number[] = []
      for (let move = 0; move < 20; move++) {
        const to = move % 2 === 0 ? b : a
        expect(await sender.handoff(pid, { to: to.peerId })).toBe(pid)
        answers.push((await sender.call<Count>(pid, { get: true })).n)
      }
      await pump
      await expect
        .poll(async () => (await sender.call<Count>(pid, { get: true })).n, { timeout: 30_000 })
        .toBe(total)
      const final = await sender.call<Count>('the-counter', { get: true })
      expect(final).toMatchObject({ n: total, last: total - 1, outOfOrder: 0 })
      // Calls during the moves were answered, and counts only grew.
      expect(answers).toEqual([...answers].sort((x, y) => x - y))
      // Monitors and names followed it: a crash on its last host reaches the monitor.
      expect(downs).toEqual([])
      sender.send('the-counter', { crash: true }, { priority: 'high' })
      await until(() => downs.length === 1, 10_000, 'DOWN after the moves')
      expect(downs[0]).toBe('Error: crashed after moving')
    }
  )

  it(
    'a target that dies mid-handoff leaves the actor running on the source with its state',
    { timeout: 60_000 },
    async () => {
      await using fleet = new Fleet()
      const relay = fleet.add(await startRelay())
      const target = await startChildPeer(wsAddrs(relay), 'target', {
        setup: `m.actor('counter', { init: () => ({}), handle: () => undefined })`
      })
      try {
        const a = fleet.add(await startDevice(relay, { name: 'source' }))
        // Kill the target at the last moment: prepared, source frozen, state about to travel.
        a.actor('counter', counter({ before: () => process.kill(target.pid, 'SIGKILL') }))
        await until(() => a.peers().some((p) => p.id === target.peerId && p.link === 'tcp'), 15_000, 'link')
        const pid = await a.spawn({}, 'counter', 'x'.repeat(3_000_000), { peer: a.peerId })
        for (let i = 0; i < 5; i++) a.send(pid, { i })
        await expect(a.handoff(pid, { to: target.peerId })).rejects.toMatchObject({ code: 'PEER_LOST' })
        for (let i = 5; i < 10; i++) a.send(pid, { i })
        expect(await a.call<Count>(pid, { get: true })).toEqual({
          n: 10,
          last: 9,
          outOfOrder: 0,
          blob: 3_000_000
        })
      } finally {
        await target.kill('SIGKILL')
      }
    }
  )

  it(
    'a target that refuses (no such behaviour) rejects with REFUSED, and a supervised child moves with its supervision',
    { timeout: 60_000 },
    async () => {
      await using fleet = new Fleet()
      const [a, b, c] = (await linkedFleet(fleet, 3)) as [Mesh, Mesh, Mesh]
      a.actor('counter', counter())
      const pid = await a.spawn({}, 'counter', null, { peer: a.peerId })
      await expect(a.handoff(pid, { to: b.peerId })).rejects.toMatchObject({ code: 'REFUSED' })
      a.send(pid, { i: 0 })
      expect((await a.call<Count>(pid, { get: true })).n).toBe(1)

      b.actor('counter', counter())
      c.actor('counter', counter())
      const child = await a.supervise({ id: 'moving', needs: {}, actor: 'counter' })
      const host = [a, b, c].find((m) => child.pid.startsWith(m.peerId)) as Mesh
      const to = host === b ? c : b
      await a.handoff(child.pid, { to: to.peerId })
      // It restarts in place on its new host: supervision moved with it.
      const restarted = new Promise<{ peer: string }>((r) => to.on('supervisor:restart', r))
      a.send(child.pid, { crash: true }, { priority: 'high' })
      expect((await restarted).peer).toBe(to.peerId)
    }
  )
})
