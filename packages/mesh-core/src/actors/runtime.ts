import { DEFAULT_TASK_TIMEOUT_MS } from '../constants.ts'
import {
  BadMessageError,
  InvalidOptionsError,
  NoCapablePeerError,
  RefusedError,
  TimeoutError
} from '../errors.ts'
import { rendezvous } from '../placement/hash.ts'
import { isPeerLoss } from '../work/tasks.ts'
import type { WorkEnv } from '../work/env.ts'
import { parseCallArgs, parseCast, parseSpawn } from './casts.ts'
import type { Cast } from './casts.ts'
import { birthHost, isPid, newPid } from './pid.ts'
import { ActorProcess, wireReason } from './process.ts'
import type { Envelope, ProcessHost } from './process.ts'
import type { ActorBehaviour, ExitReason, Pid, SendOptions, SpawnOptions } from './types.ts'

/** Actors one peer runs at most, whoever spawned them. */
export const MAX_PROCESSES = 10_000

type DownFn = (d: { pid: Pid; reason: ExitReason }) => void

/** A monitor we hold: on a local process, or on one hosted by `host`. */
interface Watch {
  pid: Pid
  host: string
  fn: DownFn
}

export interface RuntimeHooks {
  /** Where a pid lives when it is not here: supervised children and moved actors. */
  locate?(pid: Pid): string | undefined
  /** A local process exited (after monitors and links were told). */
  exited?(proc: ActorProcess, reason: ExitReason): void
  /** Resolve a registered name to a pid. */
  whereis?(name: string): Pid | undefined
}

/** Messages dropped by priority, per peer. */
export interface DropCounts {
  normal: number
  low: number
}

/**
 * Actors across the mesh: spawn, send (ordered per sender and receiver), call,
 * monitor, link, exit. Local processes live here; everything else goes by RPC casts to
 * the peer that hosts the pid.
 */
export class ActorRuntime implements ProcessHost {
  readonly log
  private readonly behaviours = new Map<string, ActorBehaviour>()
  private readonly procs = new Map<Pid, ActorProcess>()
  private readonly watches = new Map<string, Watch>()
  private readonly drops = new Map<string, DropCounts>()
  private nextRef = 1
  hooks: RuntimeHooks = {}

  constructor(private readonly env: WorkEnv) {
    this.log = env.log
    env.rpc.define('mesh.spawn', async (args, ctx) => {
      const a = parseSpawn(args)
      if (typeof a === 'string') throw this.bad(ctx.from, a)
      if (!this.behaviours.has(a.actor)) {
        const err = new RefusedError(`no actor "${a.actor}" is defined here`)
        this.env.penalise(ctx.from, err)
        throw err
      }
      return await this.spawnLocal(a.actor, a.args, a)
    })
    env.rpc.define('mesh.call', (args, ctx) => {
      const a = parseCallArgs(args)
      if (typeof a === 'string') throw this.bad(ctx.from, a)
      return this.call(a.to, a.m, { timeoutMs: DEFAULT_TASK_TIMEOUT_MS, from: ctx.from })
    })
  }

  private bad(peer: string, problem: string): Error {
    const err = new BadMessageError(problem)
    this.env.penalise(peer, err)
    return err
  }

  define(name: string, behaviour: ActorBehaviour): void {
    if (name.length === 0 || name.length > 256)
      throw new InvalidOptionsError('an actor name is 1 to 256 characters')
    if (typeof behaviour?.handle !== 'function')
      throw new InvalidOptionsError(`actor "${name}" has no handle()`)
    this.behaviours.set(name, behaviour)
  }

  undefine(name: string): void {
    this.behaviours.delete(name)
  }

  hosted(): string[] {
    return [...this.behaviours.keys()]
  }

  has(pid: Pid): boolean {
    return this.procs.get(pid)?.isAlive === true
  }

  local(pid: Pid): ActorProcess | undefined {
    return this.procs.get(pid)
  }

  locate(pid: Pid): string {
    if (this.procs.has(pid)) return this.env.self
    return this.hooks.locate?.(pid) ?? birthHost(pid)
  }

  dropCounts(): Record<string, DropCounts> {
    return Object.fromEntries(this.drops)
  }

  /** Start an actor here. */
  async spawnLocal(
    actor: string,
    args: unknown,
    o: { trap?: boolean; local?: string; pid?: Pid } = {}
  ): Promise<Pid> {
    const b = this.behaviours.get(actor)
    if (b === undefined) throw new RefusedError(`no actor "${actor}" is defined here`)
    if (this.procs.size >= MAX_PROCESSES)
      throw new RefusedError(`this peer already runs ${MAX_PROCESSES} actors`)
    const pid = o.pid ?? newPid(this.env.self, o.local)
    if (this.procs.get(pid)?.isAlive === true) throw new RefusedError(`${pid} is already running`)
    const proc = new ActorProcess(pid, actor, b, o.trap, this)
    this.procs.set(pid, proc)
    try {
      await proc.start(args)
    } catch (err) {
      this.procs.delete(pid)
      throw err
    }
    return pid
  }

  async spawn(
    needs: Record<string, unknown>,
    actor: string,
    args: unknown,
    o: SpawnOptions = {}
  ): Promise<Pid> {
    let target = o.peer
    if (target === undefined) {
      const ranked = this.env.rank({ ...(needs as object), actors: actor })
      target = (o.placement === undefined ? ranked : rendezvous(o.placement.hash, ranked))[0]
    }
    if (target === undefined)
      throw new NoCapablePeerError(`no peer hosts actor "${actor}" with ${JSON.stringify(needs)}`)
    const spawnArgs: { trap?: boolean } = o.trapExits === undefined ? {} : { trap: o.trapExits }
    if (target === this.env.self) return await this.spawnLocal(actor, args, spawnArgs)
    const pid = await this.env.rpc.call(
      target,
      'mesh.spawn',
      { actor, args, ...spawnArgs },
      {
        timeoutMs: o.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS
      }
    )
    if (typeof pid !== 'string' || !isPid(pid)) throw new BadMessageError('spawn answered without a pid')
    return pid
  }

  private resolveName(to: string): Pid | undefined {
    return isPid(to) ? to : this.hooks.whereis?.(to)
  }

  send(to: string, message: unknown, o: SendOptions = {}): void {
    const pid = this.resolveName(to)
    if (pid === undefined) return this.log('send to unknown name %s dropped', to)
    const host = this.locate(pid)
    if (host === this.env.self) return this.deliverLocal(pid, { k: 'msg', m: message, from: this.env.self })
    const p = o.priority ?? 'normal'
    const q = this.env.quality(host)
    if ((p === 'normal' && q === 'poor') || (p === 'low' && (q === 'poor' || q === 'degraded'))) {
      const d = this.drops.get(host) ?? { normal: 0, low: 0 }
      d[p]++
      this.drops.set(host, d)
      return
    }
    this.env.rpc.cast(host, 'send', { to: pid, m: message }).catch((err: unknown) => {
      this.log('send to %s lost: %s', pid, (err as Error).message)
    })
  }

  async call<R>(to: string, message: unknown, o: { timeoutMs?: number; from?: string } = {}): Promise<R> {
    const pid = this.resolveName(to)
    if (pid === undefined) throw new RefusedError(`no actor is registered as "${to}"`)
    const timeoutMs = o.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS
    const host = this.locate(pid)
    if (host !== this.env.self) {
      try {
        return (await this.env.rpc.call(host, 'mesh.call', { to: pid, m: message }, { timeoutMs })) as R
      } catch (err) {
        // A supervised actor restarted elsewhere while we asked its old host: ask again.
        const now = this.locate(pid)
        if (!isPeerLoss(err) || now === host) throw err
        return await this.call<R>(pid, message, o)
      }
    }
    return await new Promise<R>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new TimeoutError(`call to ${pid} timed out after ${timeoutMs} ms`)),
        timeoutMs
      )
      this.deliverLocal(pid, {
        k: 'call',
        m: message,
        from: o.from ?? this.env.self,
        reply: (v) => {
          clearTimeout(timer)
          resolve(v as R)
        },
        fail: (e) => {
          clearTimeout(timer)
          reject(e)
        }
      })
    })
  }

  private deliverLocal(pid: Pid, e: Envelope): void {
    const proc = this.procs.get(pid)
    if (proc !== undefined) return proc.deliver(e)
    const moved = this.hooks.locate?.(pid)
    if (moved !== undefined && moved !== this.env.self) {
      // It lives elsewhere now (a restart or a handoff): forward, in order.
      if (e.k === 'msg') return this.send(pid, e.m)
      this.call(pid, e.m).then(
        (v) => e.reply(v),
        (err: unknown) => e.fail(err as Error)
      )
      return
    }
    if (e.k === 'call') e.fail(new RefusedError(`noproc: no actor ${pid} here`))
    else this.log('message to %s dropped: no such actor', pid)
  }

  monitor(pid: Pid, fn: DownFn): () => void {
    const ref = `${this.env.self}:${this.nextRef++}`
    const host = this.locate(pid)
    this.watches.set(ref, { pid, host, fn })
    if (host === this.env.self) {
      const proc = this.procs.get(pid)
      if (proc === undefined || !proc.isAlive) this.fire(ref, 'noproc')
      else proc.monitors.set(ref, this.env.self)
    } else {
      this.env.rpc.cast(host, 'mon', { ref, pid }).catch(() => this.fire(ref, 'noconnection'))
    }
    return () => {
      const w = this.watches.get(ref)
      if (w === undefined) return
      this.watches.delete(ref)
      if (w.host === this.env.self) this.procs.get(pid)?.monitors.delete(ref)
      else this.env.rpc.cast(w.host, 'demon', { ref, pid }).catch(() => {})
    }
  }

  private fire(ref: string, reason: ExitReason): void {
    const w = this.watches.get(ref)
    if (w === undefined) return
    this.watches.delete(ref)
    try {
      w.fn({ pid: w.pid, reason })
    } catch (err) {
      this.log.error('a monitor callback threw: %s', (err as Error).message)
    }
  }

  link(a: Pid, b: Pid): void {
    this.linkOne(a, b)
    this.linkOne(b, a)
  }

  unlink(a: Pid, b: Pid): void {
    for (const [x, y] of [
      [a, b],
      [b, a]
    ] as const) {
      const host = this.locate(x)
      if (host === this.env.self) this.procs.get(x)?.links.delete(y)
      else this.env.rpc.cast(host, 'unlink', { pid: x, other: y }).catch(() => {})
    }
  }

  private linkOne(pid: Pid, other: Pid): void {
    const host = this.locate(pid)
    if (host !== this.env.self) {
      this.env.rpc.cast(host, 'link', { pid, other }).catch(() => this.signal(other, pid, 'noconnection'))
      return
    }
    const proc = this.procs.get(pid)
    if (proc === undefined || !proc.isAlive) this.signal(other, pid, 'noproc')
    else proc.links.add(other)
  }

  /** `exit(pid, reason)`: an exit signal from outside; 'kill' cannot be trapped. */
  exit(pid: Pid, reason: ExitReason = 'normal'): void {
    this.signal(pid, `${this.env.self}/exit`, wireReason(reason))
  }

  /** Deliver an exit signal from `from` to `to`, wherever `to` lives. */
  private signal(to: Pid, from: Pid, reason: ExitReason): void {
    const host = this.locate(to)
    if (host !== this.env.self) {
      this.env.rpc.cast(host, 'exit', { to, from, reason: wireReason(reason) }).catch(() => {})
      return
    }
    const proc = this.procs.get(to)
    if (proc === undefined || !proc.isAlive) return
    proc.links.delete(from)
    if (reason === 'kill') return proc.exit('killed')
    if (from === to) return proc.exit(reason)
    if (proc.trap) return proc.deliver({ k: 'msg', m: { type: 'EXIT', from, reason }, from: this.env.self })
    if (reason === 'normal' && !from.endsWith('/exit')) return
    proc.exit(reason)
  }

  /** ProcessHost: a local process finished; tell its watchers and linked actors. */
  exited(proc: ActorProcess, reason: ExitReason): void {
    if (this.procs.get(proc.pid) === proc) this.procs.delete(proc.pid)
    for (const [ref, watcher] of proc.monitors) {
      if (watcher === this.env.self) this.fire(ref, reason)
      else
        this.env.rpc.cast(watcher, 'down', { ref, pid: proc.pid, reason: wireReason(reason) }).catch(() => {})
    }
    proc.monitors.clear()
    for (const other of proc.links) this.signal(other, proc.pid, reason)
    proc.links.clear()
    this.env.emit('actor:down', { pid: proc.pid, reason })
    this.hooks.exited?.(proc, reason)
  }

  /** A peer is down: monitors on its actors fire 'noconnection', links break, its monitors go. */
  peerDown(peer: string): void {
    this.disconnected(peer)
    for (const proc of this.procs.values())
      for (const [ref, watcher] of proc.monitors) if (watcher === peer) proc.monitors.delete(ref)
  }

  /**
   * Our channel to `peer` closed, so monitor and link requests on it may be lost: our
   * monitors on its actors fire 'noconnection' and our links to them break (Erlang's
   * disconnect). Monitors that `peer` holds here stay: its own channel may be fine.
   */
  disconnected(peer: string): void {
    for (const [ref, w] of this.watches) if (w.host === peer) this.fire(ref, 'noconnection')
    for (const proc of [...this.procs.values()])
      for (const other of [...proc.links])
        if (this.locate(other) === peer) this.signal(proc.pid, other, 'noconnection')
  }

  onCast(peer: string, kind: string, body: unknown): void {
    const c = parseCast(kind, body)
    if (typeof c === 'string') {
      this.log('bad cast from %s: %s', peer, c)
      this.env.penalise(peer, new BadMessageError(c))
      return
    }
    this.handleCast(peer, c)
  }

  private handleCast(peer: string, c: Cast): void {
    switch (c.k) {
      case 'send':
        return this.deliverLocal(c.to, { k: 'msg', m: c.m, from: peer })
      case 'mon': {
        const proc = this.procs.get(c.pid)
        if (proc?.isAlive === true) proc.monitors.set(c.ref, peer)
        else
          void this.env.rpc.cast(peer, 'down', { ref: c.ref, pid: c.pid, reason: 'noproc' }).catch(() => {})
        return
      }
      case 'demon':
        return void this.procs.get(c.pid)?.monitors.delete(c.ref)
      case 'down': {
        // Only the peer we asked may answer for a monitor.
        if (this.watches.get(c.ref)?.host === peer) this.fire(c.ref, c.reason)
        return
      }
      case 'link':
        return this.linkOne(c.pid, c.other)
      case 'unlink':
        return void this.procs.get(c.pid)?.links.delete(c.other)
      case 'exit':
        return this.signal(c.to, c.from, c.reason)
    }
  }

  /** Stop every local actor (the peer is stopping). */
  stopAll(reason: ExitReason = 'shutdown'): void {
    for (const p of [...this.procs.values()]) p.exit(reason)
  }

  pids(): Pid[] {
    return [...this.procs.keys()]
  }
}
