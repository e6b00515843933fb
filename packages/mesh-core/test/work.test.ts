import { describe, expect, it } from 'vitest'
import { rendezvous } from '../src/index.ts'
import type { ActorBehaviour, Mesh } from '../src/index.ts'
import { Fleet, startDevice, startRelay, until } from './helpers.ts'

/** Relay + devices that see each other over direct links. */
async function fleetOf(
  fleet: Fleet,
  n: number,
  caps: Array<Record<string, number | boolean>> = []
): Promise<Mesh[]> {
  const relay = fleet.add(await startRelay())
  const devices: Mesh[] = []
  for (let i = 0; i < n; i++)
    devices.push(fleet.add(await startDevice(relay, { name: `d${i}`, capabilities: caps[i] ?? {} })))
  await until(
    () => devices.every((d) => d.peers().filter((p) => p.link === 'tcp').length >= n - 1),
    15_000,
    'direct links'
  )
  return devices
}

const counter: ActorBehaviour<{ n: number; log: unknown[] }, { add?: number; get?: true; crash?: true }> = {
  init: (args) => ({ n: typeof args === 'number' ? args : 0, log: [] }),
  handle(msg, state, ctx) {
    if (msg.crash === true) throw new Error('asked to crash')
    if (msg.get === true) {
      ctx.reply(state)
      return undefined
    }
    return { n: state.n + (msg.add ?? 0), log: [...state.log, msg.add] }
  }
}

describe('tasks over real nodes', () => {
  it('streams chunks and progress, and names the peer that ran it', async () => {
    await using fleet = new Fleet()
    const [a, b] = (await fleetOf(fleet, 2, [{}, { camera: true }])) as [Mesh, Mesh]
    b.define('frames', (args, ctx) => {
      const n = args as number
      for (let i = 0; i < n; i++) {
        ctx.emit({ i })
        ctx.progress((i + 1) / n)
      }
      return { frames: n, attempt: ctx.attempt }
    })
    await until(() => a.resolve({ camera: true, tasks: 'frames' }).length === 1, 10_000, 'task advertised')
    const t = a.task<{ frames: number }>({ camera: true }, 'frames', 5)
    const progress: number[] = []
    t.on('progress', (p) => progress.push(p))
    const chunks: unknown[] = []
    for await (const c of t) chunks.push(c)
    expect(chunks).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })))
    expect(await t).toEqual({ frames: 5, attempt: 1 })
    expect(progress.at(-1)).toBe(1)
    expect(t.peer).toBe(b.peerId)
    // No args at all: undefined travels as null instead of resetting the stream.
    b.define('noargs', (args) => ({ got: args }))
    await until(() => a.resolve({ tasks: 'noargs' }).length === 1, 10_000, 'noargs advertised')
    expect(await a.task({}, 'noargs')).toEqual({ got: null })
    expect(b.stats().badInput).toBe(0)
  })

  it('retries on another peer when the executing peer stops mid-task', async () => {
    await using fleet = new Fleet()
    const [a, b, c] = (await fleetOf(fleet, 3)) as [Mesh, Mesh, Mesh]
    const seen: Array<{ peer: string; attempt: number; key: string }> = []
    let startedOnB!: () => void
    const started = new Promise<void>((r) => (startedOnB = r))
    b.define('work', (_args, ctx) => {
      seen.push({ peer: 'b', attempt: ctx.attempt, key: ctx.idempotencyKey })
      startedOnB()
      return new Promise(() => {})
    })
    c.define('work', (_args, ctx) => {
      seen.push({ peer: 'c', attempt: ctx.attempt, key: ctx.idempotencyKey })
      return 'done on c'
    })
    await until(() => a.resolve({ tasks: 'work' }).length === 2, 10_000, 'both advertise')
    // A placement key whose rendezvous owner is b, so the first attempt goes there.
    let key = 0
    while (rendezvous(`k${key}`, [b.peerId, c.peerId])[0] !== b.peerId) key++
    const t = a.task({}, 'work', null, { retries: 2, placement: { hash: `k${key}` } })
    expect(t.peer).toBe(b.peerId)
    await started
    await b.stop()
    expect(await t).toBe('done on c')
    expect(seen.map((s) => [s.peer, s.attempt])).toEqual([
      ['b', 1],
      ['c', 2]
    ])
    expect(seen[0]?.key).toBe(seen[1]?.key)
  })
})

describe('cancellation', () => {
  it('reaches the remote handler through ctx.signal', async () => {
    await using fleet = new Fleet()
    const [a, b] = (await fleetOf(fleet, 2)) as [Mesh, Mesh]
    let started!: () => void
    const running = new Promise<void>((r) => (started = r))
    const aborted = new Promise<string>((resolve) =>
      b.define('wait', (_x, ctx) => {
        ctx.signal.addEventListener('abort', () => resolve(String((ctx.signal.reason as Error).message)))
        started()
        return new Promise(() => {})
      })
    )
    const t = a.task({}, 'wait', null, { peer: b.peerId })
    await running
    t.cancel()
    await expect(t).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(await aborted).toBe('cancelled by the caller')
  })
})

describe('actors over real nodes', () => {
  it('spawn, ordered send, call, monitor, link and exit', async () => {
    await using fleet = new Fleet()
    const [a, b] = (await fleetOf(fleet, 2, [{}, { storage: 512 }])) as [Mesh, Mesh]
    b.actor('counter', counter)
    a.actor('counter', counter)
    await until(() => a.resolve({ storage: 512, actors: 'counter' }).length === 1, 10_000, 'actor advertised')
    const pid = await a.spawn({ storage: 512 }, 'counter', 10)
    expect(pid.startsWith(b.peerId)).toBe(true)
    // 'high': a loaded machine can make the link 'poor', where normal messages are dropped by design.
    for (let i = 1; i <= 50; i++) a.send(pid, { add: i }, { priority: 'high' })
    const state = await a.call<{ n: number; log: number[] }>(pid, { get: true })
    expect(state.n).toBe(10 + 1275)
    expect(state.log).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))

    const local = await a.spawn({}, 'counter', 0, { peer: a.peerId })
    a.link(local, pid)
    const downs: string[] = []
    a.monitor(pid, (d) => downs.push(`remote:${d.reason}`))
    a.monitor(local, (d) => downs.push(`local:${d.reason}`))
    a.send(pid, { crash: true }, { priority: 'high' })
    await until(() => downs.length === 2, 10_000, 'two DOWNs')
    expect(downs.sort()).toEqual(['local:Error: asked to crash', 'remote:Error: asked to crash'])
    await expect(a.call(pid, { get: true })).rejects.toMatchObject({ code: 'REFUSED' })
  })

  it('register and whereis across peers; supervise restarts in place and on another peer', async () => {
    await using fleet = new Fleet()
    const [a, b, c] = (await fleetOf(fleet, 3, [{}, { gpu: 2 }, { gpu: 2 }])) as [Mesh, Mesh, Mesh]
    for (const m of [b, c]) m.actor('counter', counter)
    await until(() => a.resolve({ gpu: 2, actors: 'counter' }).length === 2, 10_000, 'actors advertised')
    const child = await a.supervise({ id: 'job', needs: { gpu: 2 }, actor: 'counter', args: 5 })
    await a.register('the-job', child.pid)
    await until(
      () => b.whereis('the-job') === child.pid && c.whereis('the-job') === child.pid,
      10_000,
      'name spread'
    )
    a.send('the-job', { add: 1 }, { priority: 'high' })
    expect((await a.call<{ n: number }>('the-job', { get: true })).n).toBe(6)
    const host = [b, c].find((m) => child.pid.startsWith(m.peerId)) as Mesh
    const other = host === b ? c : b
    const restarted = new Promise((r) => host.on('supervisor:restart', r))
    a.send(child.pid, { crash: true }, { priority: 'high' })
    await restarted
    expect((await a.call<{ n: number }>(child.pid, { get: true })).n).toBe(5)
    await until(
      () => other.peers().some((p) => p.id === host.peerId && p.capabilities.actors !== undefined),
      10_000,
      'records'
    )
    // A graceful stop hands the child to the other capable peer first, state and all
    // (a SIGKILLed host's children are adopted instead: work-process.test.ts).
    a.send(child.pid, { add: 2 }, { priority: 'high' })
    expect((await a.call<{ n: number }>(child.pid, { get: true })).n).toBe(7)
    await host.stop()
    await until(() => a.peers().every((p) => p.id !== host.peerId), 10_000, 'host gone')
    await until(() => a.whereis('the-job') === child.pid, 10_000, 'name kept')
    // Callers learn the new host from its record; until then a call may still go to the old one.
    await expect
      .poll(
        () =>
          a.call<{ n: number }>(child.pid, { get: true }, { timeoutMs: 2_000 }).then(
            (s) => s.n,
            () => -1
          ),
        { timeout: 10_000 }
      )
      .toBe(7)
  })

  it('virtual actors activate on their owner and keep answering as membership changes', async () => {
    await using fleet = new Fleet()
    const ms = await fleetOf(fleet, 3, [{ game: true }, { game: true }, { game: true }])
    const room: ActorBehaviour<{ id: string; hits: number }, 'hit'> = {
      init: (args) => ({ id: (args as { id: string }).id, hits: 0 }),
      handle: (_m, s, ctx) => {
        ctx.reply({ id: s.id, hits: s.hits + 1 })
        return { ...s, hits: s.hits + 1 }
      }
    }
    for (const m of ms) m.actor('room', room)
    const [a] = ms as [Mesh]
    await until(() => a.resolve({ game: true, actors: 'room' }).length === 3, 10_000, 'rooms advertised')
    const r1 = await a.callVirtual<{ hits: number }>({
      capability: 'game',
      actor: 'room',
      id: 'lobby',
      payload: 'hit'
    })
    const r2 = await ms[1]!.callVirtual<{ hits: number }>({
      capability: 'game',
      actor: 'room',
      id: 'lobby',
      payload: 'hit'
    })
    expect([r1.hits, r2.hits]).toEqual([1, 2])
    // The owner leaves: ownership moves to the next rendezvous winner and calls go on.
    const owner = ms.find(
      (m) =>
        m.peerId ===
        rendezvous(
          'room/lobby',
          ms.map((x) => x.peerId)
        )[0]
    ) as Mesh
    const rest = ms.filter((m) => m !== owner)
    await owner.stop()
    await until(() => rest.every((m) => m.peers().every((p) => p.id !== owner.peerId)), 10_000, 'owner gone')
    const r3 = await rest[0]!.callVirtual<{ id: string; hits: number }>({
      capability: 'game',
      actor: 'room',
      id: 'lobby',
      payload: 'hit'
    })
    // State is not carried (that is handoff's job): the new owner starts the room afresh.
    expect(r3).toEqual({ id: 'lobby', hits: 1 })
  })
})
