import { describe, expect, it } from 'vitest'
import type { ActorBehaviour, Mesh } from '../src/index.ts'
import { Fleet, startDevice, startRelay, until } from './helpers.ts'

interface Box {
  v: number
  log: string[]
}

/** Holds a number; its hooks write what they saw into a shared list. */
function box(
  seen: string[],
  o: { failAfter?: boolean } = {}
): ActorBehaviour<Box, { set?: number; get?: true }> {
  return {
    init: () => ({ v: 0, log: [] }),
    handle(msg, s, ctx) {
      if (msg.get === true) {
        ctx.reply(s)
        return undefined
      }
      return { ...s, v: msg.set ?? s.v }
    },
    beforeHandoff: (s) => {
      seen.push(`before ${s.v}`)
      return s
    },
    afterHandoff: (d) => {
      if (o.failAfter === true) throw new Error('cannot take it here')
      return d as Box
    },
    handoffAborted: (s, reason) => {
      seen.push(`aborted ${s.v}: ${reason}`)
      return { ...s, log: [...s.log, 'resumed'] }
    }
  }
}

async function linked(fleet: Fleet, n: number): Promise<Mesh[]> {
  const relay = fleet.add(await startRelay())
  const ms: Mesh[] = []
  for (let i = 0; i < n; i++)
    ms.push(fleet.add(await startDevice(relay, { name: `p${i}`, evacuate: { onStop: false } })))
  await until(
    () => ms.every((m) => m.peers().filter((p) => p.link === 'tcp').length >= n - 1),
    15_000,
    'links'
  )
  return ms
}

describe('what follows a moved actor', () => {
  it(
    'its name and its pid outlive the peer that spawned and registered it',
    { timeout: 60_000 },
    async () => {
      await using fleet = new Fleet()
      const [a, b, c] = (await linked(fleet, 3)) as [Mesh, Mesh, Mesh]
      const seen: string[] = []
      for (const m of [a, b]) m.actor('box', box(seen))
      await until(() => a.resolve({ actors: 'box' }).some((p) => p.id === b.peerId), 15_000, 'b hosts box')
      const pid = await a.spawn({}, 'box', null, { peer: a.peerId })
      await a.register('the-box', pid)
      a.send(pid, { set: 42 })
      await until(() => c.whereis('the-box') === pid, 15_000, 'c sees the name')
      await a.handoff(pid, { to: b.peerId })
      // b claims the name as well before a goes.
      await until(() => c.whereis('the-box') === pid && b.whereis('the-box') === pid, 15_000, 'b claims it')
      await a.stop()
      await until(() => !c.peers().some((p) => p.id === a.peerId), 15_000, 'a gone')
      expect(c.whereis('the-box')).toBe(pid)
      expect(b.whereis('the-box')).toBe(pid)
      // And the pid, born on a peer that is gone, still reaches the actor where it lives now.
      await until(
        () => c.capabilities(b.peerId) !== undefined && c.peers().some((p) => p.id === b.peerId),
        5_000,
        'b known'
      )
      const state = await c.call<Box>('the-box', { get: true })
      expect(state.v).toBe(42)
      expect(await c.call<Box>(pid, { get: true })).toMatchObject({ v: 42 })
    }
  )

  it('a failed move runs handoffAborted, so the behaviour can undo beforeHandoff, and the actor goes on', async () => {
    await using fleet = new Fleet()
    const [a, b] = (await linked(fleet, 2)) as [Mesh, Mesh]
    const seen: string[] = []
    a.actor('box', box(seen))
    b.actor('box', box(seen, { failAfter: true }))
    await until(() => a.resolve({ actors: 'box' }).some((p) => p.id === b.peerId), 15_000, 'b hosts box')
    const pid = await a.spawn({}, 'box', null, { peer: a.peerId })
    a.send(pid, { set: 7 })
    await expect(a.handoff(pid, { to: b.peerId })).rejects.toThrow(/cannot take it here/)
    expect(seen).toEqual(['before 7', 'aborted 7: cannot take it here'])
    expect(await b.call<Box>(pid, { get: true })).toEqual({ v: 7, log: ['resumed'] })
  })
})
