import { DEFAULT_TASK_TIMEOUT_MS } from '../constants.ts'
import {
  BadMessageError,
  InvalidOptionsError,
  NoCapablePeerError,
  RefusedError,
  TooLargeError,
  errorFromWire,
  errorToWire
} from '../errors.ts'
import type { WireError } from '../errors.ts'
import type { Needs } from '../types.ts'
import { decodeCbor, encodeCbor } from '../wire/cbor.ts'
import type { WorkEnv } from '../work/env.ts'
import type { Cast } from './casts.ts'
import type { ChildEntry, NameClaim } from './directory.ts'
import { directoryProblem } from './directory.ts'
import type { InboxState } from './inbox.ts'
import { isPid } from './pid.ts'
import type { ActorProcess, Envelope, Snapshot } from './process.ts'
import type { ActorRuntime } from './runtime.ts'
import type { Pid } from './types.ts'

/** A snapshot larger than this travels in several requests. */
export const HANDOFF_CHUNK_BYTES = 256 * 1024
/** The largest actor state a handoff carries. */
export const MAX_HANDOFF_BYTES = 16 * 1024 * 1024
/** How long a prepared handoff waits for its state before the target forgets it. */
const PREPARED_TTL_MS = 30_000

export type HandoffTarget = { to: string } | { needs: Needs }

/** A queued message on the wire: calls keep their answer at the source, under `cid`. */
interface WireEnvelope {
  k: 'msg' | 'call'
  m: unknown
  from: string
  sender: string
  q?: number
  cid?: string
}

interface WireSnapshot {
  actor: string
  state: unknown
  inbox: InboxState
  queued: WireEnvelope[]
  held: WireEnvelope[]
  links: Pid[]
  monitors: Array<[ref: string, watcher: string]>
  trap: boolean
  child?: ChildEntry
  /** The names that point at the actor, with their claim times: the target claims them too. */
  names?: Array<[name: string, claim: NameClaim]>
}

/** What the supervisor does when a child it hosts moves. */
export interface HandoffHooks {
  /** The child entry for a pid hosted here, taken out of our hosting (or undefined). */
  releaseChild(pid: Pid): ChildEntry | undefined
  /** Put a released entry back (the handoff failed). */
  restoreChild(entry: ChildEntry): void
  /** Host a child that arrived by handoff. */
  adoptChild(entry: ChildEntry): void
  /** The winning name claims that point at `pid`. */
  namesOf(pid: Pid): Array<[string, NameClaim]>
  /** Claim names for an actor that arrived (keeping their claim times). */
  adoptNames(pid: Pid, names: Array<[string, NameClaim]>): void
  /** The actor left: drop our own claims for it (its new host holds them). */
  releaseNames(pid: Pid): void
}

/**
 * Live handoff (DESIGN.md): prepare on the target, freeze the source (its messages
 * queue), snapshot the state, transfer it in chunks, activate on the target, then the
 * source forwards what queued meanwhile and anything late, and tells watchers and linked
 * actors' hosts where the actor went. The pid stays the same; order holds because every
 * message carries its sender's number (see Inbox). A failure before activation thaws the
 * source with its state and queue intact.
 */
export class Handoffs {
  private readonly incoming = new Map<
    string,
    {
      pid: Pid
      actor: string
      from: string
      parts: Uint8Array[]
      bytes: number
      timer: ReturnType<typeof setTimeout>
    }
  >()
  /** Calls that travelled with an actor: their answers come back here by `hreply`. */
  private readonly relays = new Map<string, Extract<Envelope, { k: 'call' }>>()
  private next = 1
  hooks: HandoffHooks = {
    releaseChild: () => undefined,
    restoreChild: () => {},
    adoptChild: () => {},
    namesOf: () => [],
    adoptNames: () => {},
    releaseNames: () => {}
  }

  constructor(
    private readonly env: WorkEnv,
    private readonly runtime: ActorRuntime
  ) {
    const rpc = env.rpc
    rpc.define('mesh.handoff', async (args) => {
      const a = args as { pid?: unknown; to?: unknown; needs?: unknown } | null
      if (typeof a?.pid !== 'string' || !isPid(a.pid)) throw new BadMessageError('handoff: bad pid')
      const target = typeof a.to === 'string' ? { to: a.to } : { needs: (a.needs ?? {}) as Needs }
      return await this.handoff(a.pid, target)
    })
    rpc.define('mesh.handoff.prepare', (args, ctx) => {
      const a = args as { pid?: unknown; actor?: unknown } | null
      if (typeof a?.pid !== 'string' || !isPid(a.pid) || typeof a.actor !== 'string')
        throw new BadMessageError('handoff.prepare: bad args')
      if (!runtime.hosted().includes(a.actor)) throw new RefusedError(`no actor "${a.actor}" is defined here`)
      if (runtime.has(a.pid)) throw new RefusedError(`${a.pid} already runs here`)
      const x = `${env.self}:${this.next++}`
      const timer = setTimeout(() => this.incoming.delete(x), PREPARED_TTL_MS)
      this.incoming.set(x, { pid: a.pid, actor: a.actor, from: ctx.from, parts: [], bytes: 0, timer })
      return x
    })
    rpc.define('mesh.handoff.chunk', (args, ctx) => {
      const a = args as { x?: unknown; d?: unknown } | null
      const inc = typeof a?.x === 'string' ? this.incoming.get(a.x) : undefined
      if (inc === undefined || inc.from !== ctx.from || !(a?.d instanceof Uint8Array))
        throw new BadMessageError('handoff.chunk: unknown transfer or bad data')
      inc.bytes += a.d.byteLength
      if (inc.bytes > MAX_HANDOFF_BYTES)
        throw new TooLargeError(`handoff state over ${MAX_HANDOFF_BYTES} bytes`)
      inc.parts.push(a.d)
      return null
    })
    rpc.define('mesh.handoff.activate', (args, ctx) => {
      const a = args as { x?: unknown; n?: unknown } | null
      const inc = typeof a?.x === 'string' ? this.incoming.get(a.x) : undefined
      if (inc === undefined || inc.from !== ctx.from)
        throw new BadMessageError('handoff.activate: unknown transfer')
      this.incoming.delete(a?.x as string)
      clearTimeout(inc.timer)
      const got = inc.parts.reduce((t, p) => t + p.byteLength, 0)
      if (typeof a?.n === 'number' && got !== a.n)
        throw new BadMessageError(`handoff.activate: ${got} of ${a.n} bytes arrived`)
      this.activate(inc.pid, inc.from, concat(inc.parts, got))
      return null
    })
  }

  /** Move `pid` to a target peer; resolves with the (unchanged) pid once it runs there. */
  async handoff(pid: Pid, target: HandoffTarget): Promise<Pid> {
    const proc = this.runtime.local(pid)
    if (proc === undefined || !proc.isAlive) {
      const host = this.runtime.locate(pid)
      if (host === this.env.self) throw new RefusedError(`noproc: no actor ${pid} here`)
      const args = 'to' in target ? { pid, to: target.to } : { pid, needs: target.needs }
      await this.env.rpc.call(host, 'mesh.handoff', args, { timeoutMs: DEFAULT_TASK_TIMEOUT_MS })
      return pid
    }
    const to =
      'to' in target
        ? target.to
        : this.env.rank({ ...target.needs, actors: proc.actor }).find((p) => p !== this.env.self)
    if (to === undefined) throw new NoCapablePeerError(`no other peer hosts actor "${proc.actor}"`)
    if (to === this.env.self) return pid
    if (typeof to !== 'string' || to.length === 0)
      throw new InvalidOptionsError('handoff needs { to } or { needs }')
    const call = (name: string, args: unknown): Promise<unknown> =>
      this.env.rpc.call(to, name, args, { timeoutMs: DEFAULT_TASK_TIMEOUT_MS })
    const x = await call('mesh.handoff.prepare', { pid, actor: proc.actor })
    await proc.freeze()
    const snap = proc.takeSnapshot()
    const child = this.hooks.releaseChild(pid)
    try {
      const bytes = encodeCbor(this.toWire(proc.actor, snap, proc, child))
      if (bytes.byteLength > MAX_HANDOFF_BYTES)
        throw new TooLargeError(`handoff state over ${MAX_HANDOFF_BYTES} bytes`)
      // Every chunk and the activation go at once: the channel keeps them in order, and
      // the target checks that all the bytes came before it activates.
      const sent: Array<Promise<unknown>> = []
      for (let at = 0; at < bytes.byteLength || at === 0; at += HANDOFF_CHUNK_BYTES)
        sent.push(call('mesh.handoff.chunk', { x, d: bytes.subarray(at, at + HANDOFF_CHUNK_BYTES) }))
      sent.push(call('mesh.handoff.activate', { x, n: bytes.byteLength }))
      const done = await Promise.allSettled(sent)
      const failed = done.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      if (failed !== undefined) throw failed.reason
    } catch (err) {
      this.abort(proc, snap, child, err as Error)
      throw err
    }
    this.runtime.movedAway(proc, to)
    this.hooks.releaseNames(pid)
    return pid
  }

  /**
   * Pagehide's move. A closing page has no time for prepare and activate round trips, nor
   * for a microtask after its handler (Chromium tears it down first), so this runs to the
   * end before it returns: the whole snapshot goes in one `adopt` cast on an already open
   * channel, and the target activates it on arrival. Best effort: nothing confirms it. The
   * target, or undefined when the actor is mid-message, no capable peer has an open
   * channel or the snapshot does not fit one frame; then the actor carries on here.
   */
  adoptAway(pid: Pid): string | undefined {
    const proc = this.runtime.local(pid)
    if (proc === undefined || !proc.isAlive || proc.isFrozen || proc.isBusy) return undefined
    const snap = proc.takeSnapshot()
    const child = this.hooks.releaseChild(pid)
    let to: string | undefined
    let why: Error = new NoCapablePeerError(`no peer hosting "${proc.actor}" has an open channel`)
    try {
      const d = encodeCbor(this.toWire(proc.actor, snap, proc, child))
      to = this.env
        .rank({ actors: proc.actor })
        .find((p) => p !== this.env.self && this.env.rpc.castNow(p, 'adopt', { pid, d }))
    } catch (err) {
      why = err as Error
    }
    if (to === undefined) {
      this.env.log('adopt: %s stays here: %s', pid, why.message)
      this.abort(proc, snap, child, why)
      return undefined
    }
    this.runtime.movedAway(proc, to, true)
    this.hooks.releaseNames(pid)
    return to
  }

  /** Target side of `adoptAway`: become the actor a leaving peer pushed here. */
  onAdopt(peer: string, c: Extract<Cast, { k: 'adopt' }>): void {
    try {
      this.activate(c.pid, peer, c.d)
      this.env.log('adopted %s from %s', c.pid, peer)
    } catch (err) {
      this.env.log('adopt of %s from %s refused: %s', c.pid, peer, (err as Error).message)
      if (err instanceof BadMessageError) this.env.penalise(peer, err)
    }
  }

  private toWire(
    actor: string,
    snap: Snapshot,
    proc: { pid: Pid; links: Set<Pid>; monitors: Map<string, string>; trap: boolean; state: unknown },
    child: ChildEntry | undefined
  ): WireSnapshot {
    const wire = (e: Envelope): WireEnvelope => {
      const w: WireEnvelope = { k: e.k, m: e.m, from: e.from, sender: e.sender }
      if (e.q !== undefined) w.q = e.q
      if (e.k === 'call') {
        w.cid = `${this.env.self}:h${this.next++}`
        this.relays.set(w.cid, e)
      }
      return w
    }
    const behaviourState = this.runtime.beforeHandoff(actor, snap.state)
    return {
      actor,
      state: behaviourState,
      inbox: snap.inbox,
      queued: snap.queued.map(wire),
      held: snap.held.map(wire),
      links: [...proc.links],
      monitors: [...proc.monitors],
      trap: proc.trap,
      ...(child === undefined ? {} : { child: { ...child, epoch: child.epoch + 1 } }),
      names: this.hooks.namesOf(proc.pid)
    }
  }

  /** Not activated there: carry on here as if nothing happened. */
  private abort(proc: ActorProcess, snap: Snapshot, child: ChildEntry | undefined, err: Error): void {
    for (const e of [...snap.queued, ...snap.held]) if (e.k === 'call') this.forgetRelays(e)
    if (child !== undefined) this.hooks.restoreChild(child)
    this.runtime.handoffAborted(proc, err)
    proc.thaw(snap)
  }

  private forgetRelays(e: Envelope): void {
    for (const [cid, r] of this.relays) if (r === e) this.relays.delete(cid)
  }

  /** Target side: become the actor. */
  private activate(pid: Pid, source: string, bytes: Uint8Array): void {
    const w = decodeCbor(bytes) as Partial<WireSnapshot> | null
    if (
      typeof w !== 'object' ||
      w === null ||
      typeof w.actor !== 'string' ||
      !Array.isArray(w.queued) ||
      !Array.isArray(w.held) ||
      !Array.isArray(w.inbox) ||
      !Array.isArray(w.links) ||
      !Array.isArray(w.monitors)
    )
      throw new BadMessageError('handoff: malformed snapshot')
    if (w.child !== undefined && directoryProblem({ names: {}, children: [w.child] }) !== undefined)
      throw new BadMessageError('handoff: malformed child entry')
    if (
      w.names !== undefined &&
      (!Array.isArray(w.names) ||
        !w.names.every((e) => Array.isArray(e) && e.length === 2) ||
        directoryProblem({ names: Object.fromEntries(w.names), children: [] }) !== undefined ||
        w.names.some(([, c]) => c.pid !== pid))
    )
      throw new BadMessageError('handoff: malformed names')
    const envelope = (x: WireEnvelope): Envelope => {
      const base = {
        m: x.m ?? null,
        from: String(x.from),
        sender: String(x.sender),
        ...(typeof x.q === 'number' ? { q: x.q } : {})
      }
      if (x.k !== 'call' || typeof x.cid !== 'string') return { k: 'msg', ...base }
      const cid = x.cid
      const answer = (ok: boolean, v: unknown): void =>
        void this.env.rpc.cast(source, 'hreply', { cid, ok, v }).catch(() => {})
      return { k: 'call', ...base, reply: (v) => answer(true, v), fail: (e) => answer(false, errorToWire(e)) }
    }
    this.runtime.arrive(
      pid,
      w.actor,
      {
        state: w.state,
        inbox: w.inbox,
        queued: w.queued.map(envelope),
        held: w.held.map(envelope)
      },
      { links: w.links, monitors: w.monitors, trap: w.trap === true }
    )
    if (w.child !== undefined) this.hooks.adoptChild(w.child)
    if (w.names !== undefined) this.hooks.adoptNames(pid, w.names)
  }

  /** Source side: the answer to a call that travelled with an actor. */
  onReply(_peer: string, c: Extract<Cast, { k: 'hreply' }>): void {
    const e = this.relays.get(c.cid)
    if (e === undefined) return
    this.relays.delete(c.cid)
    if (c.ok) e.reply(c.v)
    else e.fail(errorFromWire(c.v as WireError))
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}
