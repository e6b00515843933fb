import fc from 'fast-check'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Stream } from '@libp2p/interface'
import * as varint from 'uint8-varint'
import { describe, expect, it } from 'vitest'
import { RPC_PROTOCOL } from '../src/constants.ts'
import type { ActorBehaviour, Mesh } from '../src/index.ts'
import { decodeCbor, encodeCbor } from '../src/wire/cbor.ts'
import { FrameDecoder, encodeFrame } from '../src/wire/framing.ts'
import { Fleet, startDevice, startRelay, until } from './helpers.ts'

/**
 * A seeded fuzzer against a live peer. `MESH_FUZZ_SEED` replays a run; the seed is printed.
 * From a raw `/mesh/rpc/1.0.0` stream it sends random CBOR, broken frames of every type,
 * broken casts, garbage system-task requests, oversized and truncated frames, while a
 * well-behaved peer keeps using the victim's task and actor.
 */
const SEED =
  process.env.MESH_FUZZ_SEED !== undefined ? Number(process.env.MESH_FUZZ_SEED) : Date.now() % 2 ** 31
const MAX_FRAMES = 1_500
const MAX_MS = 20_000
const BARRIER_EVERY = 20
const CAST_KINDS = ['send', 'mon', 'demon', 'down', 'link', 'unlink', 'exit'] as const
const SYSTEM = ['mesh.spawn', 'mesh.call', 'mesh.virtual', 'mesh.supervise', 'mesh.unsupervise'] as const

/** What the fuzzer sends: a value framed as CBOR, or raw bytes (which may break the stream). */
type Action = { k: 'frame'; v: unknown } | { k: 'bytes'; b: Uint8Array; why: string }
const bytesOf = (b: Uint8Array, why: string): Action => ({ k: 'bytes', b, why })

const counter: ActorBehaviour<{ n: number }, { add?: number; get?: true }> = {
  init: () => ({ n: 0 }),
  handle(msg, state, ctx) {
    if (msg.get === true) {
      ctx.reply(state)
      return undefined
    }
    return { n: state.n + (msg.add ?? 0) }
  }
}

function actions(ids: { victim: string; fuzzer: string; good: string }, seed: number): Action[] {
  const junk = fc.anything({ maxDepth: 3, maxKeys: 5, withTypedArray: true, withNullPrototype: true })
  const pid = fc.oneof(
    fc.constantFrom(`${ids.victim}/fz.0`, `${ids.victim}/fz.1`, `${ids.victim}/nope`, `${ids.good}/x`),
    fc.constantFrom(`${ids.fuzzer}/f`, 'garbage/x', '/x', 'x/', 'nopid', `${ids.victim}/${'x'.repeat(300)}`),
    junk
  )
  const ref = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('', 'r'.repeat(161)), junk)
  const reason = fc.oneof(fc.constantFrom('normal', 'kill', 'shutdown', '', 'x'.repeat(1_025)), junk)
  const castBody = fc.oneof(
    fc.record({ to: pid, m: junk }, { requiredKeys: [] }),
    fc.record({ ref, pid }, { requiredKeys: [] }),
    fc.record({ ref, pid, reason }, { requiredKeys: [] }),
    fc.record({ pid, other: pid }, { requiredKeys: [] }),
    fc.record({ to: pid, from: pid, reason }, { requiredKeys: [] }),
    junk
  )
  const kind = fc.oneof(fc.constantFrom(...CAST_KINDS), fc.string({ maxLength: 40 }), junk)
  const cast = fc.record({ t: fc.constant('cast'), id: fc.constantFrom(0, 0, 7), k: kind, b: castBody })
  const child = fc.record(
    {
      id: fc.oneof(fc.constantFrom('c1', 'c2', 'a/b', ''), junk),
      pid,
      actor: fc.oneof(fc.constantFrom('counter', 'missing'), junk),
      args: junk,
      needs: fc.oneof(fc.constant({}), junk),
      restart: fc.oneof(fc.constantFrom('permanent', 'transient', 'temporary', 'never'), junk),
      maxRestarts: fc.oneof(fc.nat(5), junk),
      withinMs: fc.oneof(fc.nat(10_000), junk),
      epoch: fc.oneof(fc.nat(3), junk)
    },
    { requiredKeys: [] }
  )
  const sysArgs = fc.oneof(
    fc.record(
      {
        actor: fc.oneof(fc.constantFrom('counter', 'missing', ''), junk),
        args: junk,
        trap: fc.oneof(fc.boolean(), junk),
        local: fc.oneof(fc.constantFrom('fz.0', 'fz.1', 'a/b'), junk)
      },
      { requiredKeys: ['actor'] }
    ),
    fc.record({ to: pid, m: junk }, { requiredKeys: [] }),
    fc.record({ actor: fc.constantFrom('counter', 'x'), id: fc.oneof(fc.string(), junk), m: junk, c: junk }),
    child,
    fc.record({ id: fc.oneof(fc.constantFrom('c1', 'c2'), junk) }),
    junk
  )
  const id = fc.oneof(fc.integer({ min: 1, max: 2 ** 40 }), fc.constantFrom(0, -1, 1.5, 2 ** 53), junk)
  const req = fc.record({
    t: fc.constant('req'),
    id,
    name: fc.oneof(
      fc.constantFrom(...SYSTEM, 'echo', 'undefined.task', ''),
      fc.string({ maxLength: 300 }),
      junk
    ),
    args: sysArgs,
    attempt: fc.oneof(fc.nat(3), junk),
    key: fc.oneof(fc.string({ maxLength: 130 }), junk)
  })
  const wireError = fc.record({ code: fc.constantFrom('REFUSED', 'NOPE'), message: fc.string(), name: junk })
  const unknownIds = fc.oneof(
    fc.record({ t: fc.constant('res'), id, ok: fc.oneof(fc.boolean(), junk), v: junk, e: wireError }),
    fc.record({ t: fc.constant('chunk'), id, v: junk }),
    fc.record({ t: fc.constantFrom('prog'), id, p: fc.oneof(fc.double(), junk) }),
    fc.record({ t: fc.constantFrom('cancel', 'pong', 'ping'), id }),
    fc.record({ t: fc.constant('bye'), id, rec: fc.oneof(fc.uint8Array({ maxLength: 64 }), junk) }),
    fc.record({ t: fc.oneof(fc.string({ maxLength: 12 }), junk), id })
  )
  // A valid frame with one field replaced by junk or removed.
  const mutated = fc
    .tuple(
      fc.oneof(req, cast, unknownIds),
      fc.constantFrom('t', 'id', 'name', 'k', 'b', 'p', 'args'),
      junk,
      fc.boolean()
    )
    .map(([f, key, v, drop]) => {
      const out: Record<string, unknown> = { ...(f as Record<string, unknown>) }
      if (drop) delete out[key]
      else out[key] = v
      return out
    })
  const frame = fc.oneof(
    { weight: 2, arbitrary: junk },
    { weight: 4, arbitrary: cast },
    { weight: 4, arbitrary: req },
    { weight: 3, arbitrary: unknownIds },
    { weight: 3, arbitrary: mutated }
  )
  const bytes: fc.Arbitrary<Action> = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => bytesOf(b, 'garbage')),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => bytesOf(encodeFrame(b), 'bad cbor')),
    fc.integer({ min: 1_048_577, max: 2 ** 31 }).map((n) => bytesOf(varint.encode(n), 'oversized')),
    fc.nat(20).map((cut) => {
      const f = encodeFrame(
        encodeCbor({ t: 'req', id: 5, name: 'echo', args: 'x'.repeat(40), attempt: 1, key: '' })
      )
      return bytesOf(f.subarray(0, 1 + cut), 'truncated')
    }),
    fc.constantFrom<Action>(
      {
        k: 'bytes',
        b: encodeFrame(new Uint8Array([0xa2, 0x61, 0x74, 0x01, 0x61, 0x74, 0x02])),
        why: 'dup keys'
      },
      { k: 'bytes', b: encodeFrame(new Uint8Array([0xf7])), why: 'undefined' },
      { k: 'bytes', b: encodeFrame(new Uint8Array([0xf9, 0x7e, 0x00])), why: 'NaN' },
      { k: 'bytes', b: encodeFrame(new Uint8Array([0x9f, 0x01, 0xff])), why: 'indefinite' },
      { k: 'bytes', b: encodeFrame(encodeCbor(JSON.parse('{"__proto__":{"t":"req"}}'))), why: '__proto__' },
      { k: 'bytes', b: encodeFrame(new Uint8Array([...Array<number>(40).fill(0x81), 0x01])), why: 'deep' }
    )
  )
  const action = fc.oneof(
    { weight: 5, arbitrary: frame.map((v): Action => ({ k: 'frame', v })) },
    { weight: 1, arbitrary: bytes }
  )
  return fc.sample(action, { seed, numRuns: MAX_FRAMES })
}

/** A raw RPC stream to the victim that collects replies and answers pings. */
class RawStream {
  readonly replies = new Map<string, number>()
  private readonly pongs = new Set<number>()
  private readonly decoder = new FrameDecoder(2_000_000)
  constructor(readonly s: Stream) {
    s.addEventListener('message', (e) => {
      try {
        for (const f of this.decoder.push(e.data)) {
          const v = decodeCbor(f) as { t?: string; id?: number; e?: { code?: string } }
          const what = v.t === 'res' && v.e !== undefined ? `res:${v.e.code}` : String(v.t)
          this.replies.set(what, (this.replies.get(what) ?? 0) + 1)
          if (v.t === 'pong' && typeof v.id === 'number') this.pongs.add(v.id)
        }
      } catch (err) {
        this.replies.set(`undecodable:${(err as Error).message}`, 1)
      }
    })
  }
  get open(): boolean {
    return this.s.status === 'open' && this.s.writeStatus === 'writable'
  }
  /** Round trip a ping: 'pong', or 'closed' when the stream went away first. */
  async barrier(id: number): Promise<'pong' | 'closed' | 'stalled'> {
    this.s.send(encodeFrame(encodeCbor({ t: 'ping', id })))
    const end = Date.now() + 10_000
    while (Date.now() < end) {
      if (this.pongs.has(id)) return 'pong'
      if (!this.open) return 'closed'
      await new Promise<void>((r) => setTimeout(r, 5))
    }
    return 'stalled'
  }
}

describe('fuzzing a live peer over /mesh/rpc/1.0.0', () => {
  it(`keeps serving well-behaved peers (seed ${SEED})`, { timeout: 90_000 }, async () => {
    console.log(`fuzz seed ${SEED} (replay with MESH_FUZZ_SEED=${SEED})`)
    const crashes: string[] = []
    const onCrash = (err: unknown): void => void crashes.push(String((err as Error)?.stack ?? err))
    process.on('unhandledRejection', onCrash)
    process.on('uncaughtException', onCrash)
    await using fleet = new Fleet()
    try {
      const relay = fleet.add(await startRelay())
      const victim = fleet.add(await startDevice(relay, { name: 'victim', capabilities: { victim: true } }))
      const good = fleet.add(await startDevice(relay, { name: 'good' }))
      const fuzzer = fleet.add(await startDevice(relay, { name: 'fuzzer' }))
      victim.define('echo', (x) => x)
      victim.actor('counter', counter)
      const direct = (m: Mesh): boolean => m.peers().some((p) => p.id === victim.peerId && p.link === 'tcp')
      await until(() => direct(good) && direct(fuzzer), 15_000, 'direct links to the victim')
      await until(() => good.resolve({ victim: true, actors: 'counter' }).length === 1, 10_000, 'advertised')
      const pid = await good.spawn({ victim: true }, 'counter', null)
      let goodHangUps = 0
      victim.libp2p.addEventListener('peer:disconnect', (e) => {
        if (e.detail.toString() === good.peerId) goodHangUps++
      })
      const badBefore = victim.stats().badInput

      // The well-behaved peer: tasks, ordered sends and calls, all the while.
      let fuzzing = true
      let goodRounds = 0
      const goodErrors: string[] = []
      const goodLoop = (async () => {
        for (let i = 1, extra = 3; i <= 100_000 && (fuzzing || extra-- > 0); i++) {
          try {
            expect(await good.task({}, 'echo', { i }, { peer: victim.peerId, timeoutMs: 15_000 })).toEqual({
              i
            })
            good.send(pid, { add: 1 }, { priority: 'high' })
            const s = await good.call<{ n: number }>(pid, { get: true }, { timeoutMs: 15_000 })
            expect(s.n).toBe(i)
            goodRounds = i
          } catch (err) {
            goodErrors.push(`round ${i}: ${String(err)}`)
            return
          }
        }
      })()

      const plan = actions({ victim: victim.peerId, fuzzer: fuzzer.peerId, good: good.peerId }, SEED)
      const target = peerIdFromString(victim.peerId)
      const totals = new Map<string, number>()
      const count = (k: string): void => void totals.set(k, (totals.get(k) ?? 0) + 1)
      const dial = async (): Promise<RawStream> => {
        for (let attempt = 1; ; attempt++) {
          try {
            const s = await fuzzer.libp2p.dialProtocol(target, RPC_PROTOCOL, {
              signal: AbortSignal.timeout(5_000)
            })
            count('streams')
            return new RawStream(s)
          } catch (err) {
            // The victim hung up on us a moment ago: dial again.
            if (attempt >= 40) throw err
            count('redials')
            await new Promise<void>((r) => setTimeout(r, 10 * attempt))
          }
        }
      }
      // A spare stream opened ahead, so a reset costs no round trip (the machine may be busy).
      let spare: Promise<RawStream> | undefined
      const open = async (): Promise<RawStream> => {
        const next = spare === undefined ? undefined : await spare.catch(() => undefined)
        spare = dial()
        spare.catch(() => {})
        if (next?.open === true) return next
        count('spare lost')
        return await dial()
      }
      let sent = 0
      const start = Date.now()
      let raw = await open()
      const streams: RawStream[] = [raw]
      for (const a of plan) {
        if (Date.now() - start > MAX_MS) break
        if (!raw.open) {
          count(raw.s.status === 'open' ? 'stream half-closed' : `stream ${raw.s.status}`)
          raw = await open()
          streams.push(raw)
        }
        let bytes: Uint8Array
        try {
          bytes = a.k === 'frame' ? encodeFrame(encodeCbor(a.v)) : a.b
        } catch {
          count('unencodable')
          continue
        }
        try {
          raw.s.send(bytes)
        } catch {
          count('send failed')
          continue
        }
        sent++
        count(a.k === 'frame' ? 'frames' : `bytes:${a.why}`)
        if (a.k === 'bytes') {
          // Garbage resets the stream. A frame still waiting for its body (truncated, or
          // garbage that reads as a length) leaves it open: drop it ourselves.
          if (a.why === 'truncated') raw.s.abort(new Error('abandoned'))
          else
            await until(() => !raw.open, 500).catch(
              () => (count('abandoned'), raw.s.abort(new Error('abandoned')))
            )
        } else if (sent % BARRIER_EVERY === 0) {
          // Every frame before it was handled (or the victim hung up on us).
          count(`barrier:${await raw.barrier(2 ** 45 + sent)}`)
        }
      }
      const elapsed = Date.now() - start
      fuzzing = false
      await goodLoop
      await spare?.then((r) => r.s.abort(new Error('done'))).catch(() => {})
      const replies = new Map<string, number>()
      for (const r of streams) for (const [k, n] of r.replies) replies.set(k, (replies.get(k) ?? 0) + n)
      console.log(`fuzz seed ${SEED}: ${sent} sends in ${elapsed} ms`, Object.fromEntries(totals))
      console.log('victim replies', Object.fromEntries(replies), 'victim stats', victim.stats().badInput)
      console.log(`good peer: ${goodRounds} rounds`)

      expect(goodErrors).toEqual([])
      expect(goodRounds).toBeGreaterThan(0)
      expect(totals.get('barrier:stalled') ?? 0).toBe(0)
      expect(sent).toBeGreaterThan(50)
      expect(victim.stats().badInput).toBeGreaterThan(badBefore)
      expect(victim.stats().badInputByPeer[good.peerId] ?? 0).toBe(0)
      expect(good.stats().badInput).toBe(0)
      expect(goodHangUps).toBe(0)
      // Afterwards: the victim still answers the fuzzer on a fresh stream, and the good peer.
      const last = await dial()
      expect(await last.barrier(1)).toBe('pong')
      expect(await good.task({}, 'echo', 'after', { peer: victim.peerId })).toBe('after')
      expect(await good.call<{ n: number }>(pid, { get: true })).toEqual({ n: goodRounds })
      expect(crashes).toEqual([])
    } finally {
      process.off('unhandledRejection', onCrash)
      process.off('uncaughtException', onCrash)
    }
  })
})

describe('bugs found by fuzzing, fixed', () => {
  // A `mesh.supervise` entry with args of any size used to be hosted, and from then on
  // every record the host signed was over 16 KiB: nothing it defined later was advertised.
  it('a supervised child with 20 KB of args freezes the host record', { timeout: 60_000 }, async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const victim = fleet.add(await startDevice(relay, { name: 'victim' }))
    const other = fleet.add(await startDevice(relay, { name: 'other' }))
    victim.actor('counter', counter)
    await until(() => other.peers().some((p) => p.id === victim.peerId && p.link === 'tcp'), 15_000)
    const raw = new RawStream(await other.libp2p.dialProtocol(peerIdFromString(victim.peerId), RPC_PROTOCOL))
    const args = { id: 'big', pid: `${victim.peerId}/s.big`, actor: 'counter', args: 'x'.repeat(20_000) }
    const entry = { ...args, needs: {}, restart: 'permanent', maxRestarts: 3, withinMs: 5_000, epoch: 0 }
    raw.s.send(
      encodeFrame(encodeCbor({ t: 'req', id: 3, name: 'mesh.supervise', args: entry, attempt: 1, key: '' }))
    )
    await until(() => raw.replies.size > 0, 10_000, 'an answer')
    expect([...raw.replies.keys()]).toEqual(['res:BAD_MESSAGE'])
    victim.define('late', () => 1)
    await until(() => other.resolve({ tasks: 'late' }).length === 1, 8_000, 'the late task advertised')
  })

  // A crash reason is `${name}: ${message}`; parseCast refuses reasons over 1,024 chars,
  // so an unclipped reason made the host's honest `down` bad input and lost the DOWN.
  it('a remote crash with a long message still reaches its monitor', { timeout: 60_000 }, async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const host = fleet.add(await startDevice(relay, { name: 'host', capabilities: { host: true } }))
    const watcher = fleet.add(await startDevice(relay, { name: 'watcher' }))
    host.actor('crasher', {
      handle: () => {
        throw new Error('x'.repeat(2_000))
      }
    })
    await until(() => watcher.resolve({ host: true, actors: 'crasher' }).length === 1, 15_000, 'advertised')
    const pid = await watcher.spawn({ host: true }, 'crasher', null)
    const downs: string[] = []
    watcher.monitor(pid, (d) => downs.push(d.reason))
    watcher.send(pid, 'crash', { priority: 'high' })
    try {
      await until(() => downs.length === 1, 8_000, 'the DOWN')
    } finally {
      expect(watcher.stats().badInputByPeer[host.peerId] ?? 0).toBe(0)
    }
  })
})
