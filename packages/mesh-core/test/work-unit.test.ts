import { describe, expect, it } from 'vitest'
import type { DirectoryEntry } from '../src/actors/directory.ts'
import type { ActorBehaviour } from '../src/actors/types.ts'
import { Rpc } from '../src/rpc/rpc.ts'
import type { Channel, RpcTransport } from '../src/rpc/transport.ts'
import type { LinkQuality, MeshEventName, MeshEvents } from '../src/types.ts'
import { encodeCbor } from '../src/wire/cbor.ts'
import { Work } from '../src/work/work.ts'

const noLog = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false })

/** A work layer whose transport records what it would send, peer by peer. */
function fakeWork(
  o: { quality?: LinkQuality; directory?: Array<[string, DirectoryEntry]>; now?: () => number } = {}
) {
  const sent: Array<{ peer: string; frame: unknown }> = []
  const transport: RpcTransport = {
    listen: () => Promise.resolve(),
    open: (peer) =>
      Promise.resolve((): Channel => ({
        isOpen: true,
        send: (frame) => void sent.push({ peer, frame }),
        sendNow: (frame) => void sent.push({ peer, frame }),
        close: () => Promise.resolve()
      }))
  }
  const events: Array<{ event: MeshEventName; detail: unknown }> = []
  const penalised: Array<{ peer: string; err: Error }> = []
  const rpc = new Rpc({
    transport,
    log: noLog as never,
    onBadInput: () => {},
    onBye: () => {},
    onAlive: () => {}
  })
  const work = new Work({
    self: 'self',
    rpc,
    log: noLog as never,
    rank: () => ['self'],
    quality: () => o.quality ?? 'excellent',
    emit: <K extends MeshEventName>(event: K, detail: MeshEvents[K]) => void events.push({ event, detail }),
    republish: () => {},
    directory: () => o.directory ?? [],
    penalise: (peer, err) => void penalised.push({ peer, err }),
    now: o.now ?? (() => 1_000)
  })
  return { work, sent, events, penalised }
}

/** Let queued channel opens and sends run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r))

describe('send priorities', () => {
  it('drops normal and low on a poor link, counts them, and always sends high and critical', async () => {
    const { work, sent } = fakeWork({ quality: 'poor' })
    for (const priority of ['critical', 'high', 'normal', 'low', 'normal'] as const)
      work.send('far/1', { priority }, { priority })
    await settle()
    expect(sent.map((s) => (s.frame as { b: { m: { priority: string } } }).b.m.priority)).toEqual([
      'critical',
      'high'
    ])
    expect(work.runtime.dropCounts()).toEqual({ far: { normal: 2, low: 1 } })
  })

  it('drops only low on a degraded link, and nothing on a good one', async () => {
    const degraded = fakeWork({ quality: 'degraded' })
    for (const priority of ['normal', 'low'] as const) degraded.work.send('far/1', priority, { priority })
    const good = fakeWork({ quality: 'good' })
    for (const priority of ['normal', 'low'] as const) good.work.send('far/1', priority, { priority })
    await settle()
    expect(degraded.sent.map((s) => (s.frame as { b: { m: string } }).b.m)).toEqual(['normal'])
    expect(degraded.work.runtime.dropCounts()).toEqual({ far: { normal: 0, low: 1 } })
    expect(good.sent).toHaveLength(2)
  })
})

describe('names', () => {
  it('a conflicting registration goes to the earlier claim, and the loser is told', async () => {
    const directory: Array<[string, DirectoryEntry]> = []
    const { work, events } = fakeWork({ directory, now: () => 2_000 })
    work.actor('noop', { handle: () => undefined })
    const pid = await work.runtime.spawnLocal('noop', null)
    await work.register('leader', pid)
    expect(work.whereis('leader')).toBe(pid)
    // A claim made earlier elsewhere (across a partition) arrives with that peer's record.
    directory.push(['other', { names: { leader: { pid: 'other/7', at: 1_500 } }, children: [] }])
    work.directoryChanged()
    expect(work.whereis('leader')).toBe('other/7')
    expect(work.names.claims()).toEqual({})
    expect(events).toContainEqual({ event: 'name:lost', detail: { name: 'leader', pid, winner: 'other/7' } })
    await expect(work.register('leader', pid)).rejects.toMatchObject({ code: 'REFUSED' })
  })

  it('rejects names that look like pids and unknown pids', async () => {
    const { work } = fakeWork()
    await expect(work.register('a/b', 'x/1')).rejects.toThrow(/no "\/"/)
    await expect(work.register('ok', 'not-a-pid')).rejects.toThrow(/not a pid/)
  })
})

describe('define with needs', () => {
  it('offers the task only while our own capabilities match', () => {
    const { work } = fakeWork()
    work.define('photo', () => 'jpeg', { camera: true })
    work.define('echo', (x) => x)
    expect(work.hostedTasks({})).toEqual(['echo'])
    expect(work.hostedTasks({ camera: true })).toEqual(['photo', 'echo'])
    expect(() => work.define('bad', () => 1, { cpu: { min: 'x' } } as never)).toThrow()
  })
})

describe('adopt (the pagehide move)', () => {
  const snapshot = (over: Record<string, unknown> = {}): Uint8Array =>
    encodeCbor({
      actor: 'box',
      state: { v: 7 },
      inbox: [],
      queued: [],
      held: [],
      links: [],
      monitors: [],
      ...over
    })

  it('runs an actor a leaving peer pushed here, with its state and queued messages', async () => {
    const { work, penalised } = fakeWork()
    const box: ActorBehaviour<{ v: number }, { add?: number; get?: true }> = {
      handle: (m, s, ctx) => {
        if (m.get === true) ctx.reply(s.v)
        return m.add === undefined ? undefined : { v: s.v + m.add }
      }
    }
    work.actor('box', box as unknown as ActorBehaviour<never, never>)
    const queued = [{ k: 'msg', m: { add: 1 }, from: 'leaving', sender: 'leaving#1', q: 0 }]
    work.runtime.onCast('leaving', 'adopt', { pid: 'leaving/1', d: snapshot({ queued, inbox: [] }) })
    expect(await work.call('leaving/1', { get: true })).toBe(8)
    expect(penalised).toEqual([])
  })

  it('refuses garbage and malformed snapshots, counts them against the sender, and keeps running', () => {
    const { work, penalised } = fakeWork()
    work.actor('box', { handle: () => undefined })
    for (const d of [
      new Uint8Array([0xff, 0x00, 0x13]),
      snapshot({ queued: 'no' }),
      snapshot({ names: [['n']] })
    ])
      work.runtime.onCast('leaving', 'adopt', { pid: 'leaving/1', d })
    work.runtime.onCast('leaving', 'adopt', { pid: 'leaving/1', d: 'not bytes' })
    expect(penalised.map((p) => [p.peer, p.err.name])).toEqual(Array(4).fill(['leaving', 'BadMessageError']))
    expect(work.runtime.local('leaving/1')).toBeUndefined()
    // Still whole: a good one is adopted afterwards.
    work.runtime.onCast('leaving', 'adopt', { pid: 'leaving/1', d: snapshot() })
    expect(work.runtime.local('leaving/1')?.state).toEqual({ v: 7 })
  })

  it('refuses an actor it does not define, or one already running here, without blaming the sender', () => {
    const { work, penalised } = fakeWork()
    work.runtime.onCast('leaving', 'adopt', { pid: 'leaving/1', d: snapshot() })
    expect(work.runtime.local('leaving/1')).toBeUndefined()
    work.actor('box', { handle: () => undefined })
    work.runtime.onCast('leaving', 'adopt', { pid: 'leaving/1', d: snapshot() })
    work.runtime.onCast('leaving', 'adopt', { pid: 'leaving/1', d: snapshot({ state: { v: 9 } }) })
    expect(work.runtime.local('leaving/1')?.state).toEqual({ v: 7 })
    expect(penalised).toEqual([])
  })
})
