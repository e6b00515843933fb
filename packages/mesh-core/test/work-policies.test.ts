import { describe, expect, it } from 'vitest'
import { createMesh } from '../src/index.ts'
import type { ActorBehaviour, Mesh, MeshEvents } from '../src/index.ts'
import { Fleet, startDevice, startRelay, until } from './helpers.ts'

/** A peer on its own: supervision and tasks run locally (no bootstrap). */
function alone(): Promise<Mesh> {
  return createMesh({ name: 'solo', listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: false })
}

const fragile: ActorBehaviour<number, 'crash' | 'quit' | 'get'> = {
  init: () => 0,
  handle(msg, n, ctx) {
    if (msg === 'crash') throw new Error('crashed')
    if (msg === 'quit') ctx.stop('normal')
    if (msg === 'get') ctx.reply(n)
    return n + 1
  }
}

describe('supervision policies', () => {
  it('gives up after maxRestarts within withinMs', async () => {
    await using fleet = new Fleet()
    const m = fleet.add(await alone())
    m.actor('fragile', fragile)
    const restarts: Array<MeshEvents['supervisor:restart']> = []
    m.on('supervisor:restart', (r) => restarts.push(r))
    const gaveUp = new Promise<MeshEvents['supervisor:giveup']>((r) => m.on('supervisor:giveup', r))
    const child = await m.supervise({
      id: 'f',
      needs: {},
      actor: 'fragile',
      maxRestarts: 2,
      withinMs: 60_000
    })
    for (let i = 0; i < 2; i++) {
      m.send(child.pid, 'crash', { priority: 'high' })
      await until(() => restarts.length === i + 1, 5_000, `restart ${i + 1}`)
    }
    m.send(child.pid, 'crash', { priority: 'high' })
    expect((await gaveUp).id).toBe('f')
    await expect(m.call(child.pid, 'get')).rejects.toMatchObject({ code: 'REFUSED' })
  })

  it('temporary never restarts; transient restarts after a crash but not after a normal exit', async () => {
    await using fleet = new Fleet()
    const m = fleet.add(await alone())
    m.actor('fragile', fragile)
    const restarted: string[] = []
    m.on('supervisor:restart', (r) => restarted.push(r.id))
    const temp = await m.supervise({ id: 'temp', needs: {}, actor: 'fragile', restart: 'temporary' })
    const trans = await m.supervise({ id: 'trans', needs: {}, actor: 'fragile', restart: 'transient' })
    const downs: string[] = []
    m.on('actor:down', (d) => downs.push(`${d.pid === temp.pid ? 'temp' : 'trans'}:${d.reason}`))
    m.send(temp.pid, 'crash', { priority: 'high' })
    m.send(trans.pid, 'crash', { priority: 'high' })
    await until(() => restarted.includes('trans'), 5_000, 'transient restarted')
    expect(await m.call(trans.pid, 'get')).toBe(0)
    m.send(trans.pid, 'quit', { priority: 'high' })
    await until(() => downs.includes('trans:normal'), 5_000, 'transient quit')
    expect(restarted).toEqual(['trans'])
    expect(downs.sort()).toEqual(['temp:Error: crashed', 'trans:Error: crashed', 'trans:normal'])
    await expect(m.call(temp.pid, 'get')).rejects.toMatchObject({ code: 'REFUSED' })
  })

  it('supervise with an id already running returns the same child', async () => {
    await using fleet = new Fleet()
    const m = fleet.add(await alone())
    m.actor('fragile', fragile)
    const a = await m.supervise({ id: 'one', needs: {}, actor: 'fragile' })
    const b = await m.supervise({ id: 'one', needs: {}, actor: 'fragile' })
    expect(b.pid).toBe(a.pid)
    await a.stop()
    await expect(m.call(a.pid, 'get')).rejects.toMatchObject({ code: 'REFUSED' })
  })
})

describe('map-reduce', () => {
  it('fans items over capable peers with bounded concurrency per peer, in order, and moves items off a lost peer', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const caller = fleet.add(await startDevice(relay, { name: 'caller' }))
    const workers = [
      fleet.add(await startDevice(relay, { name: 'w0', capabilities: { cpu: 2 } })),
      fleet.add(await startDevice(relay, { name: 'w1', capabilities: { cpu: 2 } })),
      await startDevice(relay, { name: 'doomed', capabilities: { cpu: 2 } })
    ]
    const doomed = workers[2] as Mesh
    const inFlight = new Map<string, number>()
    const peak = new Map<string, number>()
    const ran = new Map<string, number>()
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    for (const w of workers) {
      w.define('square', async (x) => {
        const n = (inFlight.get(w.name) ?? 0) + 1
        inFlight.set(w.name, n)
        peak.set(w.name, Math.max(peak.get(w.name) ?? 0, n))
        ran.set(w.name, (ran.get(w.name) ?? 0) + 1)
        // The doomed peer never finishes: its items must move when it goes.
        if (w === doomed) await new Promise(() => {})
        await gate
        inFlight.set(w.name, (inFlight.get(w.name) ?? 1) - 1)
        return (x as number) ** 2
      })
    }
    await until(
      () =>
        caller.resolve({ cpu: 2, tasks: 'square' }).length === 3 &&
        caller.peers().filter((p) => p.link === 'tcp').length >= 3,
      15_000,
      'three workers'
    )
    const items = Array.from({ length: 30 }, (_, i) => i)
    const sum = caller.mapReduce<number, number, number>({ cpu: 2 }, 'square', items, {
      concurrencyPerPeer: 2,
      reduce: (acc, r) => acc + r,
      initial: 0
    })
    await until(() => (ran.get('doomed') ?? 0) === 2, 10_000, 'doomed busy')
    await doomed.stop()
    release()
    expect(await sum).toBe(items.reduce((a, x) => a + x * x, 0))
    for (const name of ['w0', 'w1', 'doomed']) expect(peak.get(name)).toBeLessThanOrEqual(2)
    const list = await caller.mapReduce<number, number>({ cpu: 2 }, 'square', [3, 1, 2])
    expect(list).toEqual([9, 1, 4])
  })
})

describe('actor calls, exits and names', () => {
  it('a call the actor never answers fails with TIMEOUT', async () => {
    await using fleet = new Fleet()
    const m = fleet.add(await alone())
    m.actor('stuck', { handle: () => new Promise<undefined>(() => {}) })
    const pid = await m.spawn({}, 'stuck')
    await expect(m.call(pid, 'anything', { timeoutMs: 200 })).rejects.toMatchObject({ code: 'TIMEOUT' })
  })

  it("exit stops an actor; a trapping actor gets the signal as a message, but not 'kill'", async () => {
    await using fleet = new Fleet()
    const m = fleet.add(await alone())
    const seen: unknown[] = []
    m.actor('trapper', {
      trapExits: true,
      handle: (msg: unknown) => {
        seen.push(msg)
        return undefined
      }
    })
    m.actor('plain', { handle: () => undefined })
    const downs: string[] = []
    const plain = await m.spawn({}, 'plain')
    const trapper = await m.spawn({}, 'trapper')
    m.monitor(plain, (d) => downs.push(`plain:${d.reason}`))
    m.monitor(trapper, (d) => downs.push(`trapper:${d.reason}`))
    m.exit(plain, 'enough')
    m.exit(trapper, 'enough')
    await until(() => downs.length === 1 && seen.length === 1, 5_000, 'one DOWN, one EXIT message')
    expect(downs).toEqual(['plain:enough'])
    expect(seen).toEqual([{ type: 'EXIT', from: `${m.peerId}/exit`, reason: 'enough' }])
    m.exit(trapper, 'kill')
    await until(() => downs.length === 2, 5_000, 'killed')
    expect(downs[1]).toBe('trapper:killed')
  })

  it('unregister frees a name', async () => {
    await using fleet = new Fleet()
    const m = fleet.add(await alone())
    m.actor('plain', { handle: () => undefined })
    const a = await m.spawn({}, 'plain')
    const b = await m.spawn({}, 'plain')
    await m.register('svc', a)
    await expect(m.register('svc', b)).rejects.toMatchObject({ code: 'REFUSED' })
    m.unregister('svc')
    expect(m.whereis('svc')).toBe(undefined)
    await m.register('svc', b)
    expect(m.whereis('svc')).toBe(b)
  })
})
