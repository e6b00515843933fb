/**
 * Actor and task semantics over a seeded, simulated network (test/sim/): every test runs
 * once per seed, and a failure names its seed; rerun one with
 * `MESH_SIM_SEED=<seed> npx vitest run packages/mesh-core/test/sim.test.ts`.
 */
import { describe, expect } from 'vitest'
import type { ExitMessage, Pid } from '../src/actors/types.ts'
import { DownLog, recorder, simTest } from './sim/fixtures.ts'
import type { RecorderView } from './sim/fixtures.ts'
import { SimNet } from './sim/network.ts'
import type { SimOptions } from './sim/network.ts'
import { answersEverywhere, downs, restarts, supervisedChild } from './sim/supervision.ts'

const CALL = { timeoutMs: 60_000 }

async function started(seed: number, peers: number, o: Partial<SimOptions> = {}): Promise<SimNet> {
  const sim = new SimNet({ seed, peers, ...o })
  await sim.start()
  return sim
}

/** The messages one sender sent, as the actor logged them. */
function bySender(log: unknown[], sender: string): number[] {
  return (log as Array<{ s: string; i: number }>).filter((m) => m.s === sender).map((m) => m.i)
}

describe('sim: ordering', () => {
  simTest('each sender’s messages reach the actor in order, all of them', async (seed) => {
    const sim = await started(seed, 5)
    for (const p of sim.live()) if (p.id === 'p0') p.actor('sink', recorder(p, sim.rng.fork()))
    await sim.settle()
    const pid = await sim.await(sim.peer('p2').work.spawn({}, 'sink'), 'spawn')
    expect(sim.hostsOf(pid)).toEqual(['p0'])
    // Senders on every peer (the host too), by pid or by registered name.
    await sim.await(sim.peer('p0').work.register('sink', pid), 'register')
    await sim.settle()
    const N = 25
    for (const p of sim.live()) {
      const byName = sim.rng.chance(0.5)
      let t = 0
      for (let i = 0; i < N; i++) {
        t += sim.rng.int(0, 8)
        sim.sched.after(t, () => p.work.send(byName ? 'sink' : pid, { s: p.id, i }), p.id)
      }
    }
    await sim.settle()
    const view = await sim.await(sim.peer('p3').work.call<RecorderView>(pid, { get: true }, CALL), 'get')
    for (const p of sim.live()) expect(bySender(view.log, p.id), p.id).toEqual([...Array(N).keys()])
    for (const p of sim.live()) expect(p.penalties).toEqual([])
  })

  simTest('a killed sender’s messages arrive as an in-order prefix; the others all arrive', async (seed) => {
    const sim = await started(seed, 4)
    sim.peer('p0').actor('sink', recorder(sim.peer('p0'), sim.rng.fork()))
    await sim.settle()
    const pid = await sim.await(sim.peer('p1').work.spawn({}, 'sink'), 'spawn')
    const N = 30
    for (const p of sim.live()) {
      let t = 0
      for (let i = 0; i < N; i++) {
        t += sim.rng.int(0, 6)
        sim.sched.after(t, () => p.work.send(pid, { s: p.id, i }), p.id)
      }
    }
    const victim = sim.rng.pick(['p1', 'p2', 'p3'])
    sim.sched.after(sim.rng.int(5, 80), () => sim.kill(victim))
    await sim.settle()
    const view = await sim.await(sim.peer('p0').work.call<RecorderView>(pid, { get: true }, CALL), 'get')
    for (const id of sim.ids()) {
      const got = bySender(view.log, id)
      if (id === victim) expect(got, id).toEqual([...Array(got.length).keys()])
      else expect(got, id).toEqual([...Array(N).keys()])
    }
  })
})

describe('sim: monitors', () => {
  simTest('DOWN once per monitor: noconnection, normal, noproc', async (seed) => {
    const sim = await started(seed, 5)
    for (const p of sim.live()) p.actor('worker', recorder(p))
    await sim.settle()
    const p0 = sim.peer('p0').work
    const spawnOn = (peer: string): Promise<Pid> =>
      sim.await(p0.spawn({}, 'worker', null, { peer }), `spawn on ${peer}`)
    const doomed = [await spawnOn('p1'), await spawnOn('p1')]
    const quitter = await spawnOn('p2')
    const downs = new DownLog()
    const watchers = ['p0', 'p2', 'p3', 'p4']
    for (const w of watchers) {
      sim.peer(w).work.monitor(quitter, downs.watch(`${w}→quitter`))
      sim.peer(w).work.monitor('p3/ghost', downs.watch(`${w}→ghost`))
    }
    await sim.settle()
    for (const w of watchers)
      doomed.forEach((pid, i) => sim.peer(w).work.monitor(pid, downs.watch(`${w}→doomed${i}`)))
    // The kill may land before some monitors are even set up on p1.
    await sim.sched.advance(sim.rng.int(0, 40))
    sim.kill('p1')
    p0.send(quitter, { stop: 'normal' })
    await sim.settle()
    // A monitor set after the peer is known to be down.
    sim.peer('p3').work.monitor(doomed[0] as Pid, downs.watch('late→doomed0'))
    await sim.settle()
    const want: Record<string, string[]> = { 'late→doomed0': ['noconnection'] }
    for (const w of watchers) {
      want[`${w}→doomed0`] = want[`${w}→doomed1`] = ['noconnection']
      want[`${w}→quitter`] = ['normal']
      want[`${w}→ghost`] = ['noproc']
    }
    expect(downs.all()).toEqual(want)
  })
})

describe('sim: monitors and stale links', () => {
  simTest(
    'a monitor set after its peer is known down fires, though our stream has not closed yet',
    async (seed) => {
      // The failure detector (silence) can call a peer down while its stream still looks open.
      const sim = await started(seed, 3, { reset: [5_000, 6_000] })
      for (const p of sim.live()) p.actor('worker', recorder(p))
      await sim.settle()
      const p0 = sim.peer('p0')
      const pid = await sim.await(p0.work.spawn({}, 'worker', null, { peer: 'p1' }), 'spawn')
      sim.kill('p1')
      await sim.runUntil(() => !p0.view.has('p1'), 'p0 sees p1 down')
      const downs = new DownLog()
      p0.work.monitor(pid, downs.watch('late'))
      await sim.runUntil(() => downs.reasons('late').length > 0, 'DOWN', 2_000)
      expect(downs.all()).toEqual({ late: ['noconnection'] })
    }
  )

  simTest('a monitor whose request was lost in a short link blip still fires', async (seed) => {
    const sim = await started(seed, 3, { detect: [500, 800] })
    for (const p of sim.live()) p.actor('worker', recorder(p))
    await sim.settle()
    const p0 = sim.peer('p0').work
    const pid = await sim.await(p0.spawn({}, 'worker', null, { peer: 'p1' }), 'spawn')
    await sim.settle()
    const downs = new DownLog()
    p0.monitor(pid, downs.watch('blip'))
    // The link drops while the request is on its way, and comes back before anyone calls p1 down.
    sim.partition(['p0'], ['p1'])
    await sim.sched.advance(50)
    sim.heal()
    await sim.settle()
    sim.peer('p2').work.send(pid, { stop: 'normal' })
    await sim.settle()
    // Erlang: a lost connection fires 'noconnection'; a monitor never stays silent.
    expect(downs.reasons('blip')).toHaveLength(1)
  })
})

describe('sim: links', () => {
  simTest('a crash propagates along a chain of links; a trapping actor gets EXIT and lives', async (seed) => {
    const sim = await started(seed, 4)
    for (const p of sim.live()) p.actor('node', recorder(p))
    await sim.settle()
    const p3 = sim.peer('p3').work
    const spawn = (peer: string, trapExits = false): Promise<Pid> =>
      sim.await(p3.spawn({}, 'node', null, { peer, trapExits }), `spawn on ${peer}`)
    const [a, b, c] = [await spawn('p0'), await spawn('p1'), await spawn('p2')]
    const d = await spawn(sim.rng.pick(['p0', 'p1', 'p2', 'p3']), true)
    // Links made from different peers, then let them land.
    sim.peer(sim.rng.pick(sim.ids())).work.link(a, b)
    sim.peer(sim.rng.pick(sim.ids())).work.link(b, c)
    sim.peer(sim.rng.pick(sim.ids())).work.link(c, d)
    await sim.settle()
    const downs = new DownLog()
    for (const [label, pid] of Object.entries({ a, b, c, d })) p3.monitor(pid, downs.watch(label))
    await sim.settle()
    sim.peer(sim.rng.pick(sim.ids())).work.send(a, { crash: true })
    await sim.settle()
    expect(downs.all()).toEqual({ a: ['Error: boom'], b: ['Error: boom'], c: ['Error: boom'], d: [] })
    for (const pid of [a, b, c]) expect(sim.hostsOf(pid), pid).toEqual([])
    const view = await sim.await(p3.call<RecorderView>(d, { get: true }, CALL), 'get d')
    expect(view.log).toEqual([{ type: 'EXIT', from: c, reason: 'Error: boom' } satisfies ExitMessage])
  })

  simTest('a peer loss breaks links with noconnection', async (seed) => {
    const sim = await started(seed, 4)
    for (const p of sim.live()) p.actor('node', recorder(p))
    await sim.settle()
    const p0 = sim.peer('p0').work
    const spawn = (peer: string, trapExits = false): Promise<Pid> =>
      sim.await(p0.spawn({}, 'node', null, { peer, trapExits }), `spawn on ${peer}`)
    const b = await spawn('p1')
    const c = await spawn('p2')
    const d = await spawn('p3', true)
    p0.link(b, c)
    p0.link(b, d)
    await sim.settle()
    const downs = new DownLog()
    for (const [label, pid] of Object.entries({ b, c, d })) p0.monitor(pid, downs.watch(label))
    await sim.settle()
    sim.kill('p1')
    await sim.settle()
    expect(downs.all()).toEqual({ b: ['noconnection'], c: ['noconnection'], d: [] })
    const view = await sim.await(p0.call<RecorderView>(d, { get: true }, CALL), 'get d')
    expect(view.log).toEqual([{ type: 'EXIT', from: b, reason: 'noconnection' }])
  })
})

describe('sim: tasks', () => {
  interface Run {
    peer: string
    attempt: number
    key: string
  }
  /** `job` on p1..p4 (not on the caller p0): it takes 50–150 ms of virtual time. */
  async function jobs(seed: number): Promise<{ sim: SimNet; attempts: Run[]; completed: Run[] }> {
    const sim = await started(seed, 5)
    const attempts: Run[] = []
    const completed: Run[] = []
    for (const p of sim.live()) {
      if (p.id === 'p0') continue
      p.define('job', async (args, ctx) => {
        const run = { peer: p.id, attempt: ctx.attempt, key: ctx.idempotencyKey }
        attempts.push(run)
        await p.sleep(sim.rng.int(50, 150))
        // A handler cut off from its caller sees its signal aborted and gives up.
        ctx.signal.throwIfAborted()
        completed.push(run)
        return { by: p.id, x: (args as number) * 2 }
      })
    }
    await sim.settle()
    return { sim, attempts, completed }
  }

  for (const fault of ['kill', 'partition'] as const) {
    simTest(`retries: the executing peer is lost (${fault}); exactly one attempt completes`, async (seed) => {
      const { sim, attempts, completed } = await jobs(seed)
      const lost = sim.rng.int(1, 2)
      const task = sim.peer('p0').work.task<{ by: string; x: number }>({}, 'job', 21, {
        retries: 2,
        timeoutMs: 60_000
      })
      for (let k = 1; k <= lost; k++) {
        await sim.runUntil(() => attempts.length === k, `attempt ${k} started`)
        await sim.sched.advance(sim.rng.int(0, 20))
        const victim = (attempts[k - 1] as Run).peer
        if (fault === 'kill') sim.kill(victim)
        else sim.partition(['p0'], [victim])
      }
      const result = await sim.await(task, 'task')
      await sim.settle()
      const last = attempts.at(-1) as Run
      expect(attempts.map((a) => a.attempt)).toEqual([...Array(lost + 1).keys()].map((i) => i + 1))
      expect(new Set(attempts.map((a) => a.key)).size).toBe(1)
      expect(new Set(attempts.map((a) => a.peer)).size).toBe(lost + 1)
      expect(completed).toEqual([last])
      expect(result).toEqual({ by: last.peer, x: 42 })
      expect(task.peer).toBe(last.peer)
    })
  }

  simTest('at-most-once by default: a lost peer fails the task, nothing completes', async (seed) => {
    const { sim, attempts, completed } = await jobs(seed)
    const task = sim.peer('p0').work.task({}, 'job', 1, { timeoutMs: 60_000 })
    await sim.runUntil(() => attempts.length === 1, 'attempt started')
    sim.kill((attempts[0] as Run).peer)
    await expect(sim.await(task, 'task')).rejects.toMatchObject({ code: 'PEER_LOST' })
    await sim.settle()
    expect(attempts).toHaveLength(1)
    expect(completed).toEqual([])
  })
})

describe('sim: supervision', () => {
  simTest('the host dies: exactly one peer restarts the child, and the pid answers', async (seed) => {
    const s = await supervisedChild(seed)
    const first = s.host()
    s.sim.kill(first)
    await s.sim.settle()
    const now = s.host()
    expect(now).not.toBe(first)
    expect(restarts(s)).toEqual([now])
    await answersEverywhere(s)
  })

  simTest(
    'partition: the far side restarts it; after heal one instance is left (duplicate)',
    async (seed) => {
      const s = await supervisedChild(seed)
      const first = s.host()
      const rest = s.sim.rng.shuffle(s.sim.ids().filter((id) => id !== first && id !== 'p0'))
      const near = [first, 'p0', ...rest.slice(0, 1)]
      const far = rest.slice(1)
      s.sim.partition(near, far)
      await s.sim.settle()
      expect(s.sim.hostsOf(s.sup.pid)).toHaveLength(2)
      s.sim.heal()
      await s.sim.settle()
      const now = s.host()
      // The restarted instance has the higher epoch: it wins.
      expect(far).toContain(now)
      expect(downs(s)).toEqual([{ peer: first, reason: 'duplicate' }])
      await answersEverywhere(s)
    }
  )

  simTest('the host dies during a partition: both sides restart; heal keeps one', async (seed) => {
    const s = await supervisedChild(seed)
    const first = s.host()
    const rest = s.sim.rng.shuffle(s.sim.ids().filter((id) => id !== first && id !== 'p0'))
    const sideA = ['p0', ...rest.slice(0, 2)]
    const sideB = rest.slice(2)
    s.sim.partition(sideA, sideB)
    s.sim.kill(first)
    await s.sim.settle()
    const both = s.sim.hostsOf(s.sup.pid)
    expect(both).toHaveLength(2)
    s.sim.heal()
    await s.sim.settle()
    // Equal epochs: the lower host id wins; the other stops with 'duplicate'.
    const [keep, lose] = [...both].sort()
    expect(s.host()).toBe(keep)
    expect(downs(s)).toEqual([{ peer: lose, reason: 'duplicate' }])
    await answersEverywhere(s)
  })

  simTest('a child that traps exits is still stopped as a duplicate', async (seed) => {
    const s = await supervisedChild(seed, { trapExits: true })
    const first = s.host()
    const rest = s.sim.ids().filter((id) => id !== first && id !== 'p0')
    s.sim.partition([first, 'p0'], rest)
    await s.sim.settle()
    s.sim.heal()
    await s.sim.settle()
    expect(rest).toContain(s.host())
    expect(downs(s)).toEqual([{ peer: first, reason: 'duplicate' }])
  })
})

describe('sim: determinism', () => {
  simTest('the same seed gives the same run, frame for frame', async (seed) => {
    const run = async (): Promise<{ trace: string[]; now: number; steps: number; host: string }> => {
      const s = await supervisedChild(seed, { trace: true })
      const first = s.host()
      s.sim.partition(
        [first, 'p0'],
        ['p1', 'p2', 'p3', 'p4', 'p5'].filter((id) => id !== first)
      )
      s.sim.kill(s.sim.rng.pick(['p1', 'p2', 'p3', 'p4', 'p5'].filter((id) => id !== first)))
      await s.sim.settle()
      s.sim.heal()
      await s.sim.settle()
      await answersEverywhere(s)
      return { trace: s.sim.trace ?? [], now: s.sim.sched.now, steps: s.sim.sched.steps, host: s.host() }
    }
    const a = await run()
    const b = await run()
    expect(a.trace.length).toBeGreaterThan(50)
    expect(b).toEqual(a)
  })
})
