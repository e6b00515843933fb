import { describe, expect, it } from 'vitest'
import { createMesh } from '../src/index.ts'
import type { ActorBehaviour, EvacuationReason } from '../src/index.ts'
import { Evacuation, evacuationPolicy } from '../src/work/evacuation.ts'
import type { EvacuationTimers } from '../src/work/evacuation.ts'
import { startChildPeer } from './child-peer.ts'
import { Fleet, startDevice, startRelay, until, wsAddrs } from './helpers.ts'

/** Timers the test fires by hand. */
class ManualTimers implements EvacuationTimers {
  pending = new Map<number, { fn: () => void; ms: number }>()
  private next = 1
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++
    this.pending.set(id, { fn, ms })
    return id
  }
  clearTimeout(t: unknown): void {
    this.pending.delete(t as number)
  }
  fireAll(): void {
    const due = [...this.pending.values()]
    this.pending.clear()
    for (const d of due) d.fn()
  }
}

function rig(o: Parameters<typeof evacuationPolicy>[0] = {}): {
  ev: Evacuation
  runs: EvacuationReason[]
  timers: ManualTimers
  finish: () => void
} {
  const runs: EvacuationReason[] = []
  const timers = new ManualTimers()
  let finish = (): void => {}
  const ev = new Evacuation(
    evacuationPolicy(o),
    (reason) => {
      runs.push(reason)
      return new Promise<number>((resolve) => (finish = () => resolve(1)))
    },
    timers
  )
  return { ev, runs, timers, finish: () => finish() }
}

describe('evacuation policy', () => {
  it('defaults every trigger on, and the old evacuateOnStop still works', () => {
    expect(evacuationPolicy({})).toEqual({
      onStop: true,
      onPageHide: true,
      hiddenForMs: 60_000,
      batteryBelow: 0.15
    })
    expect(evacuationPolicy({ evacuateOnStop: false }).onStop).toBe(false)
    expect(evacuationPolicy({ evacuateOnStop: false, evacuate: { onStop: true } }).onStop).toBe(true)
  })

  it('rejects nonsense levels and durations with a clear error', () => {
    expect(() => evacuationPolicy({ evacuate: { batteryBelow: 15 } })).toThrow(/batteryBelow.*fraction/)
    expect(() => evacuationPolicy({ evacuate: { batteryBelow: 0 } })).toThrow(/batteryBelow/)
    expect(() => evacuationPolicy({ evacuate: { hiddenForMs: -1 } })).toThrow(/hiddenForMs/)
    expect(() => evacuationPolicy({ evacuate: { hiddenForMs: Number.NaN } })).toThrow(/hiddenForMs/)
    // Options from JSON (a config file, a URL) are untrusted: wrong types and unknown keys too.
    expect(() => evacuationPolicy({ evacuate: { onStop: 'yes' } as never })).toThrow('onStop is a boolean')
    expect(() => evacuationPolicy({ evacuate: { hiddenForMs: '5' } as never })).toThrow(
      'hiddenForMs is a number or false'
    )
    expect(() => evacuationPolicy({ evacuate: { hiddenMs: 5 } as never })).toThrow(
      'unknown evacuation option "hiddenMs"'
    )
  })

  it('pagehide evacuates when on, and not when off', async () => {
    const on = rig()
    const p = on.ev.pageHide()
    expect(on.runs).toEqual(['pagehide'])
    on.finish()
    expect(await p).toBe(1)
    const off = rig({ evacuate: { onPageHide: false } })
    expect(off.ev.pageHide()).toBeUndefined()
    expect(off.runs).toEqual([])
  })

  it('a page hidden for the set time evacuates once; coming back in time cancels it', () => {
    const { ev, runs, timers } = rig({ evacuate: { hiddenForMs: 5_000 } })
    ev.hidden(true)
    expect([...timers.pending.values()].map((t) => t.ms)).toEqual([5_000])
    ev.hidden(false)
    expect(timers.pending.size).toBe(0)
    ev.hidden(true)
    timers.fireAll()
    expect(runs).toEqual(['hidden'])
    // Still hidden (a second visibilitychange, a freeze): no second evacuation.
    ev.hidden(true)
    expect(timers.pending.size).toBe(0)
    // Visible again, then hidden again: armed anew.
    ev.hidden(false)
    ev.hidden(true)
    expect(timers.pending.size).toBe(1)
    ev.stop()
    expect(timers.pending.size).toBe(0)
  })

  it('hiddenForMs false never arms a timer', () => {
    const { ev, timers } = rig({ evacuate: { hiddenForMs: false } })
    ev.hidden(true)
    expect(timers.pending.size).toBe(0)
  })

  it('a battery below the level while discharging evacuates once per episode', async () => {
    const { ev, runs, finish } = rig({ evacuate: { batteryBelow: 0.2 } })
    void ev.battery(0.5, false)
    void ev.battery(0.19, true) // low but charging
    expect(runs).toEqual([])
    const first = ev.battery(0.19, false)
    expect(runs).toEqual(['battery'])
    finish()
    await first
    void ev.battery(0.18, false)
    void ev.battery(0.1, false)
    expect(runs).toEqual(['battery'])
    void ev.battery(0.1, true) // plugged in: the episode ends
    void ev.battery(0.1, false)
    expect(runs).toEqual(['battery', 'battery'])
    void ev.battery(Number.NaN, false)
    expect(runs).toHaveLength(2)
  })

  it('batteryBelow false ignores the battery', () => {
    const { ev, runs } = rig({ evacuate: { batteryBelow: false } })
    void ev.battery(0.01, false)
    expect(runs).toEqual([])
  })

  it('triggers during a running evacuation join it rather than start another', () => {
    const { ev, runs, finish } = rig({ evacuate: { batteryBelow: 0.5 } })
    const a = ev.pageHide()
    void ev.battery(0.1, false)
    expect(runs).toEqual(['pagehide'])
    finish()
    return expect(a).resolves.toBe(1)
  })
})

interface Held {
  v: number
}
const holder: ActorBehaviour<Held, { set?: number; get?: true }> = {
  init: () => ({ v: 0 }),
  handle(msg, s, ctx) {
    if (msg.get === true) {
      ctx.reply(s.v)
      return undefined
    }
    return { v: msg.set ?? s.v }
  }
}

describe('mesh.evacuate()', () => {
  it('createMesh refuses a bad evacuation option before it starts anything', async () => {
    await expect(createMesh({ mdns: false, evacuate: { batteryBelow: 15 } })).rejects.toMatchObject({
      name: 'InvalidOptionsError',
      message: expect.stringContaining('batteryBelow') as unknown
    })
  })

  it('moves every local actor with its state to a capable peer, and says so in an event', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const a = fleet.add(await startDevice(relay, { name: 'leaving' }))
    const b = fleet.add(await startDevice(relay, { name: 'staying' }))
    const other = fleet.add(await startDevice(relay, { name: 'no-behaviour' }))
    for (const m of [a, b]) m.actor('holder', holder)
    await until(
      () => [a, b, other].every((m) => m.peers().filter((p) => p.link === 'tcp').length >= 2),
      15_000,
      'direct links'
    )
    await until(() => a.resolve({ actors: 'holder' }).some((p) => p.id === b.peerId), 15_000, 'b hosts')
    const pids = [
      await a.spawn({}, 'holder', null, { peer: a.peerId }),
      await a.spawn({}, 'holder', null, { peer: a.peerId })
    ]
    pids.forEach((pid, i) => a.send(pid, { set: 10 + i }))
    const events: Array<{ reason: string; moved: number; actors: number }> = []
    a.on('evacuate', (e) => events.push(e))
    expect(await a.evacuate()).toBe(2)
    expect(events).toEqual([{ reason: 'request', moved: 2, actors: 2 }])
    // The evacuated peer goes; the actors live on with their state on the one that hosts them.
    await a.stop()
    for (const [i, pid] of pids.entries()) expect(await other.call(pid, { get: true })).toBe(10 + i)
  })

  it('with evacuate.onStop false, stop() leaves the actors to die with the peer', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const a = fleet.add(await startDevice(relay, { name: 'a', evacuate: { onStop: false } }))
    const b = fleet.add(await startDevice(relay, { name: 'b' }))
    for (const m of [a, b]) m.actor('holder', holder)
    await until(() => a.peers().some((p) => p.id === b.peerId && p.link === 'tcp'), 15_000, 'direct link')
    await until(() => a.resolve({ actors: 'holder' }).some((p) => p.id === b.peerId), 15_000, 'b hosts')
    const pid = await b.spawn({}, 'holder', null, { peer: a.peerId })
    const down = new Promise<string>((resolve) => b.monitor(pid, (d) => resolve(d.reason)))
    const events: unknown[] = []
    a.on('evacuate', (e) => events.push(e))
    await a.stop()
    expect(await down).toBe('noconnection')
    expect(events).toEqual([])
    await expect(b.call(pid, { get: true }, { timeoutMs: 2_000 })).rejects.toThrow()
  })
})

/** How a peer goes, as its process sees it: on `signal` it runs `leave` (module code, mesh `m`). */
interface Leaving {
  what: string
  signal: NodeJS.Signals
  leave: string
  reason: string
}

const leavings: Leaving[] = [
  {
    // A closing tab: the trigger runs, then the process kills itself before any other
    // task or microtask, so no part of the move can wait for an answer: a round trip, as
    // a full handoff needs, never completes. Each actor must go in one frame.
    what: 'a closing page pushes each actor in one frame: it lives on though the page dies at once',
    signal: 'SIGUSR2',
    leave: `void m.evacuation.pageHide(); process.kill(process.pid, 'SIGKILL')`,
    reason: 'pagehide'
  },
  {
    // A device's service manager stops it (mesh-bridge and the relay do this on SIGTERM).
    what: 'a device stopped by SIGTERM hands each actor off before it exits',
    signal: 'SIGTERM',
    leave: `await m.stop(); process.exit(0)`,
    reason: 'stop'
  }
]

describe('a leaving peer hands its actors, with their state, to a capable peer', () => {
  it.each(leavings)('$what', { timeout: 60_000 }, async ({ signal, leave, reason }) => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const staying = fleet.add(await startDevice(relay, { name: 'staying' }))
    const asking = fleet.add(await startDevice(relay, { name: 'asking' }))
    // Answers say where the actor runs now.
    staying.actor('holder', {
      init: () => ({ v: 0 }),
      handle(msg: { set?: number; get?: true }, s: Held, ctx) {
        if (msg.get !== true) return { v: msg.set ?? s.v }
        ctx.reply({ v: s.v, host: staying.peerId })
        return undefined
      }
    })
    const leaving = await startChildPeer(wsAddrs(relay), 'leaving', {
      setup: `
        m.actor('holder', { init: () => ({ v: 0 }), handle(msg, s, ctx) {
          if (msg.get === true) { ctx.reply({ v: s.v, host: m.peerId }); return undefined }
          return { v: msg.set ?? s.v } } })
        const staying = ${JSON.stringify(staying.peerId)}
        // Until its view lists the staying peer as a host of 'holder' (the test's timeout bounds it).
        await new Promise((resolve) => {
          const offs = []
          const check = () => {
            if (!m.resolve({ actors: 'holder' }).some((p) => p.id === staying)) return
            for (const off of offs) off()
            resolve()
          }
          for (const e of ['peer:join', 'peer:update', 'capabilities:change']) offs.push(m.on(e, check))
          check()
        })
        // The peers have talked (a remote spawn), as a page's peers have before it closes.
        await m.spawn({}, 'holder', null, { peer: staying })
        const pids = [await m.spawn({}, 'holder', null, { peer: m.peerId }), await m.spawn({}, 'holder', null, { peer: m.peerId })]
        pids.forEach((p, i) => m.send(p, { set: 10 + i }))
        m.on('evacuate', (e) => console.log('evacuate ' + JSON.stringify(e)))
        process.on(${JSON.stringify(signal)}, async () => { ${leave} })
        console.log('pids ' + JSON.stringify(pids))`
    })
    try {
      const pids = JSON.parse(await leaving.line('pids ')) as string[]
      // A monitor from a third peer follows the actor: no 'noconnection' when the peer that
      // left goes, and the DOWN when it ends comes from where it lives now.
      const downs: string[] = []
      await until(
        () => asking.peers().some((p) => p.id === leaving.peerId && p.link === 'tcp'),
        15_000,
        'a link to the leaver'
      )
      asking.monitor(pids[0] as string, (d) => downs.push(d.reason))
      // A call after the monitor request, on the same channel: it is in place once this answers.
      expect(await asking.call(pids[0] as string, { get: true })).toMatchObject({ v: 10 })
      process.kill(leaving.pid, signal)
      await leaving.exited
      expect(JSON.parse(await leaving.line('evacuate ', 1_000))).toEqual({ reason, moved: 2, actors: 2 })
      // Each peer asks until the new host answers: the peer that left is no help by now.
      for (const [i, pid] of pids.entries())
        for (const peer of [staying, asking])
          await expect
            .poll(() => peer.call(pid, { get: true }, { timeoutMs: 1_000 }).catch((e: Error) => e.message), {
              timeout: 15_000
            })
            .toEqual({ v: 10 + i, host: staying.peerId })
      await until(() => !asking.peers().some((p) => p.id === leaving.peerId), 15_000, 'the leaver gone')
      expect(downs).toEqual([])
      asking.exit(pids[0] as string, 'kill')
      await until(() => downs.length > 0, 10_000, 'DOWN')
      expect(downs).toEqual(['killed'])
    } finally {
      await leaving.kill('SIGKILL')
    }
  })
})
