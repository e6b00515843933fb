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
import { parseCallArgs, parseSpawn } from './casts.ts'
import type { Cast } from './casts.ts'
import { birthHost, isPid, newPid } from './pid.ts'
import { ActorProcess } from './process.ts'
import type { Envelope, ProcessHost } from './process.ts'
import type { ActorBehaviour, ExitReason, Pid, SendOptions, SpawnOptions } from './types.ts'

/** Actors one peer runs at most, whoever spawned them. */
export const MAX_PROCESSES = 10_000

export type DownFn = (d: { pid: Pid; reason: ExitReason }) => void

/** A monitor we hold: on a local process, or on one hosted by `host`. */
export interface Watch {
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
  /** The answer to a call that travelled with a handed-off actor. */
  hreply?(peer: string, c: Extract<Cast, { k: 'hreply' }>): void
  /** An actor a leaving peer pushed here in one frame (pagehide). */
  adopt?(peer: string, c: Extract<Cast, { k: 'adopt' }>): void
}

/** Messages dropped by priority, per peer. */
export interface DropCounts {
  normal: number
  low: number
}

/**
 * The first half of the actor runtime: local processes, spawn, and messages. `send` and
 * `call` are numbered per sender and pid and go to wherever the actor lives, forwarded
 * by its old host after a handoff.
 */
export abstract class ActorCore implements ProcessHost {
  readonly log
  protected readonly behaviours = new Map<string, ActorBehaviour>()
  protected readonly procs = new Map<Pid, ActorProcess>()
  protected readonly watches = new Map<string, Watch>()
  private readonly drops = new Map<string, DropCounts>()
  protected nextRef = 1
  hooks: RuntimeHooks = {}
  /** This runtime's incarnation: senders number their messages per incarnation and pid. */
  readonly incarnation = crypto.randomUUID().slice(0, 8)
  private readonly seqs = new Map<Pid, number>()
  /** Where actors that left this peer (or that we heard moved) live now. */
  readonly moved = new Map<Pid, string>()
  /** Senders already told where a pid moved, so a stream of forwards tells them once. */
  private readonly told = new Set<string>()

  constructor(protected readonly env: WorkEnv) {
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
      const from = a.f ?? ctx.from
      return new Promise((reply, fail) => {
        const sender = `${from}#${a.i ?? '-'}`
        this.dispatch(a.to, { k: 'call', m: a.m, from, sender, q: a.q, reply, fail }, ctx.from)
      })
    })
  }

  protected bad(peer: string, problem: string): Error {
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
    return this.moved.get(pid) ?? this.hooks.locate?.(pid) ?? birthHost(pid)
  }

  private get senderKey(): string {
    return `${this.env.self}#${this.incarnation}`
  }

  private nextSeq(pid: Pid): number {
    const q = this.seqs.get(pid) ?? 0
    this.seqs.set(pid, q + 1)
    return q
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
    const p = o.priority ?? 'normal'
    const q = this.env.quality(host)
    if ((p === 'normal' && q === 'poor') || (p === 'low' && (q === 'poor' || q === 'degraded'))) {
      const d = this.drops.get(host) ?? { normal: 0, low: 0 }
      d[p]++
      this.drops.set(host, d)
      return
    }
    const e: Envelope = {
      k: 'msg',
      m: message,
      from: this.env.self,
      sender: this.senderKey,
      q: this.nextSeq(pid)
    }
    this.dispatch(pid, e, this.env.self)
  }

  async call<R>(to: string, message: unknown, o: { timeoutMs?: number } = {}): Promise<R> {
    const pid = this.resolveName(to)
    if (pid === undefined) throw new RefusedError(`no actor is registered as "${to}"`)
    const timeoutMs = o.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS
    const q = this.nextSeq(pid)
    const host = this.locate(pid)
    if (host !== this.env.self) {
      const args = { to: pid, m: message, i: this.incarnation, q }
      try {
        return (await this.env.rpc.call(host, 'mesh.call', args, { timeoutMs })) as R
      } catch (err) {
        // It restarted or moved while we asked its old host: ask there, same number.
        const now = this.locate(pid)
        if (!isPeerLoss(err) || now === host) throw err
        return (await this.env.rpc.call(now, 'mesh.call', args, { timeoutMs })) as R
      }
    }
    return await new Promise<R>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new TimeoutError(`call to ${pid} timed out after ${timeoutMs} ms`)),
        timeoutMs
      )
      const reply = (v: unknown): void => {
        clearTimeout(timer)
        resolve(v as R)
      }
      const fail = (e: Error): void => {
        clearTimeout(timer)
        reject(e)
      }
      const sender = this.senderKey
      this.dispatch(
        pid,
        { k: 'call', m: message, from: this.env.self, sender, q, reply, fail },
        this.env.self
      )
    })
  }

  /**
   * Hand a message to a local actor, or forward it (number kept) to where the actor
   * lives now, telling `via` (the peer that sent it to us) where that is.
   */
  dispatch(pid: Pid, e: Envelope, via: string): void {
    const proc = this.procs.get(pid)
    if (proc !== undefined) return proc.deliver(e)
    const host = this.locate(pid)
    if (host === this.env.self) {
      if (e.k === 'call') e.fail(new RefusedError(`noproc: no actor ${pid} here`))
      else this.log('message to %s dropped: no such actor', pid)
      return
    }
    const key = `${via} ${pid} ${host}`
    if (via !== this.env.self && !this.told.has(key)) {
      if (this.told.size > 10_000) this.told.clear()
      this.told.add(key)
      this.env.rpc.cast(via, 'moved', { pid, host }).catch(() => {})
    }
    const cut = e.sender.lastIndexOf('#')
    const n = e.q === undefined ? {} : { i: e.sender.slice(cut + 1), q: e.q, f: e.sender.slice(0, cut) }
    if (e.k === 'msg') {
      this.env.rpc.cast(host, 'send', { to: pid, m: e.m, ...n }).catch((err: unknown) => {
        this.log('send to %s lost: %s', pid, (err as Error).message)
      })
      return
    }
    this.env.rpc
      .call(host, 'mesh.call', { to: pid, m: e.m, ...n }, { timeoutMs: DEFAULT_TASK_TIMEOUT_MS })
      .then(
        (v) => e.reply(v),
        (err: unknown) => e.fail(err as Error)
      )
  }

  abstract exited(proc: ActorProcess, reason: ExitReason): void
}
