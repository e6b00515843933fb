import { needsProblem } from '../capabilities/validate.ts'
import { BadMessageError, InvalidOptionsError, NoCapablePeerError, TooLargeError } from '../errors.ts'
import { hash32, rendezvous } from '../placement/hash.ts'
import type { WorkEnv } from '../work/env.ts'
import {
  MAX_CHILDREN_PER_PEER,
  childWins,
  directoryProblem,
  directorySizeProblem,
  nameProblem
} from '../actors/directory.ts'
import type { ChildEntry, DirectoryEntry } from '../actors/directory.ts'
import { newPid } from '../actors/pid.ts'
import type { ActorProcess } from '../actors/process.ts'
import type { ActorRuntime } from '../actors/runtime.ts'
import type { ChildSpec, ExitReason, Pid, Supervised } from '../actors/types.ts'
import type { Needs } from '../types.ts'

/** Reasons that end supervision instead of restarting. */
const FINAL = new Set(['shutdown', 'duplicate', 'handoff'])

function entryOf(spec: ChildSpec, host: string): ChildEntry {
  const idProblem = nameProblem(spec.id)
  if (idProblem !== undefined) throw new InvalidOptionsError(`child id: ${idProblem}`)
  const np = needsProblem(spec.needs)
  if (np !== undefined) throw new InvalidOptionsError(np)
  const entry: ChildEntry = {
    id: spec.id,
    pid: newPid(host, `s.${hash32(spec.id).toString(36)}`),
    actor: spec.actor,
    args: spec.args ?? null,
    needs: spec.needs as Needs,
    restart: spec.restart ?? 'permanent',
    maxRestarts: spec.maxRestarts ?? 3,
    withinMs: spec.withinMs ?? 5_000,
    epoch: 0
  }
  const problem = directoryProblem({ names: {}, children: [entry] })
  if (problem !== undefined) throw new InvalidOptionsError(problem)
  return entry
}

/**
 * Horde's DynamicSupervisor across the mesh. The host of a child publishes it in its
 * record; every peer remembers the last entry it saw. A crash restarts the child in place
 * (within `maxRestarts` per `withinMs`). When the host goes down, the rendezvous winner
 * among the capable peers for (id, epoch + 1) restarts it, so exactly one peer does. Two
 * instances that meet (after a partition) keep the higher epoch, then the lower host id;
 * the other stops with reason 'duplicate'. The pid never changes.
 */
export class Supervisor {
  private readonly hosting = new Map<string, { entry: ChildEntry; restarts: number[] }>()
  private readonly seen = new Map<string, { entry: ChildEntry; host: string }>()
  private readonly orphans = new Map<string, ChildEntry>()
  /** Our peer is leaving: children stop without being dropped, so other peers adopt them. */
  stopping = false

  constructor(
    private readonly env: WorkEnv,
    private readonly runtime: ActorRuntime,
    /** Our registered names, to check that names and children still fit our record. */
    private readonly names: () => DirectoryEntry['names'] = () => ({})
  ) {
    env.rpc.define('mesh.supervise', async (args, ctx) => {
      const problem = directoryProblem({ names: {}, children: [args] })
      if (problem !== undefined) {
        const err = new BadMessageError(problem)
        env.penalise(ctx.from, err)
        throw err
      }
      return await this.host(args as ChildEntry)
    })
    env.rpc.define('mesh.unsupervise', (args) => {
      const id = (args as { id?: unknown } | null)?.id
      if (typeof id === 'string') this.stopHere(id)
      return null
    })
  }

  /** A child hosted here leaves by handoff: stop listing it (without stopping it). */
  releaseChild(pid: Pid): ChildEntry | undefined {
    for (const [id, h] of this.hosting) {
      if (h.entry.pid !== pid) continue
      this.hosting.delete(id)
      this.env.republish()
      return h.entry
    }
    return undefined
  }

  /** The handoff failed: list it again. */
  restoreChild(entry: ChildEntry): void {
    this.hosting.set(entry.id, { entry, restarts: [] })
    this.env.republish()
  }

  /** A child arrived by handoff (its epoch already raised): host and list it. */
  adoptChild(entry: ChildEntry): void {
    this.hosting.set(entry.id, { entry, restarts: [] })
    this.seen.delete(entry.id)
    this.orphans.delete(entry.id)
    this.env.republish()
  }

  /** For the record: the children hosted here. */
  entries(): ChildEntry[] {
    return [...this.hosting.values()].map((h) => h.entry)
  }

  /** Where a supervised pid runs, when we know. */
  locate(pid: Pid): string | undefined {
    for (const h of this.hosting.values()) if (h.entry.pid === pid) return this.env.self
    for (const s of this.seen.values()) if (s.entry.pid === pid) return s.host
    return undefined
  }

  /** Whether `pid` is a supervised child we know of (it may be restarting). */
  supervises(pid: Pid): boolean {
    if (this.locate(pid) !== undefined) return true
    for (const e of this.orphans.values()) if (e.pid === pid) return true
    return false
  }

  async supervise(spec: ChildSpec): Promise<Supervised> {
    const known = this.hosting.get(spec.id)?.entry ?? this.seen.get(spec.id)?.entry
    if (known !== undefined) return this.handle(known)
    const target = this.env.rank({ ...(spec.needs as Needs), actors: spec.actor })[0]
    if (target === undefined)
      throw new NoCapablePeerError(`no peer hosts actor "${spec.actor}" with ${JSON.stringify(spec.needs)}`)
    const entry = entryOf(spec, target)
    if (target === this.env.self) await this.host(entry)
    else await this.env.rpc.call(target, 'mesh.supervise', entry, { timeoutMs: 30_000 })
    return this.handle(entry)
  }

  private handle(entry: ChildEntry): Supervised {
    return {
      id: entry.id,
      pid: entry.pid,
      stop: async () => {
        const host = this.locate(entry.pid) ?? this.env.self
        this.seen.delete(entry.id)
        this.orphans.delete(entry.id)
        if (host === this.env.self) this.stopHere(entry.id)
        else await this.env.rpc.call(host, 'mesh.unsupervise', { id: entry.id }, { timeoutMs: 30_000 })
      }
    }
  }

  /** Start a child here (first start, or adoption with a higher epoch). */
  private async host(entry: ChildEntry): Promise<Pid> {
    const mine = this.hosting.get(entry.id)
    if (mine !== undefined && this.runtime.has(mine.entry.pid)) return mine.entry.pid
    if (this.hosting.size >= MAX_CHILDREN_PER_PEER)
      throw new InvalidOptionsError(`a peer hosts at most ${MAX_CHILDREN_PER_PEER} supervised children`)
    const tooBig = directorySizeProblem({ names: this.names(), children: [...this.entries(), entry] })
    if (tooBig !== undefined) throw new TooLargeError(tooBig)
    this.hosting.set(entry.id, { entry, restarts: [] })
    try {
      await this.runtime.spawnLocal(entry.actor, entry.args, { pid: entry.pid })
    } catch (err) {
      this.hosting.delete(entry.id)
      throw err
    }
    this.seen.delete(entry.id)
    this.orphans.delete(entry.id)
    this.env.republish()
    return entry.pid
  }

  private stopHere(id: string): void {
    const h = this.hosting.get(id)
    if (h === undefined) return
    this.hosting.delete(id)
    // Stop it outright: an exit signal would reach a child that traps exits as a message.
    this.runtime.local(h.entry.pid)?.exit('shutdown')
    this.env.republish()
  }

  /** Runtime hook: a local process exited. Restart it here when the spec says so. */
  onExit(proc: ActorProcess, reason: ExitReason): void {
    const h = [...this.hosting.values()].find((x) => x.entry.pid === proc.pid)
    if (h === undefined || this.stopping) return
    const { entry } = h
    const done =
      FINAL.has(reason) ||
      entry.restart === 'temporary' ||
      (entry.restart === 'transient' && reason === 'normal')
    if (done) return this.drop(entry.id)
    const now = this.env.now()
    h.restarts = h.restarts.filter((t) => now - t < entry.withinMs)
    if (h.restarts.length >= entry.maxRestarts) {
      this.drop(entry.id)
      this.env.emit('supervisor:giveup', {
        id: entry.id,
        reason: `${entry.maxRestarts} restarts within ${entry.withinMs} ms; last: ${reason}`
      })
      return
    }
    h.restarts.push(now)
    this.runtime.spawnLocal(entry.actor, entry.args, { pid: entry.pid }).then(
      () =>
        this.env.emit('supervisor:restart', {
          id: entry.id,
          pid: entry.pid,
          peer: this.env.self,
          restarts: h.restarts.length
        }),
      (err: unknown) => {
        this.drop(entry.id)
        this.env.emit('supervisor:giveup', {
          id: entry.id,
          reason: `restart failed: ${(err as Error).message}`
        })
      }
    )
  }

  private drop(id: string): void {
    if (this.hosting.delete(id)) this.env.republish()
  }

  /** Records changed: learn where children run, and stop our duplicates. */
  directoryChanged(): void {
    const listed = new Map<string, { entry: ChildEntry; host: string }>()
    for (const [peer, dir] of this.env.directory()) {
      for (const entry of dir.children) {
        const cur = listed.get(entry.id)
        if (
          cur === undefined ||
          childWins({ epoch: entry.epoch, host: peer }, { epoch: cur.entry.epoch, host: cur.host })
        )
          listed.set(entry.id, { entry, host: peer })
      }
    }
    for (const [id, s] of [...this.seen]) {
      // A live host that no longer lists a child stopped it for good; a dead host's
      // entry stays until someone adopts the child.
      if (!listed.has(id) && this.isLive(s.host)) this.seen.delete(id)
    }
    for (const [id, other] of listed) {
      this.orphans.delete(id)
      const mine = this.hosting.get(id)
      if (mine === undefined) {
        this.seen.set(id, other)
        continue
      }
      if (
        childWins(
          { epoch: other.entry.epoch, host: other.host },
          { epoch: mine.entry.epoch, host: this.env.self }
        )
      ) {
        this.env.log('supervised %s also runs on %s: stopping ours (duplicate)', id, other.host)
        this.hosting.delete(id)
        this.runtime.local(mine.entry.pid)?.exit('duplicate')
        this.seen.set(id, other)
        this.env.republish()
      }
    }
  }

  private isLive(peer: string): boolean {
    for (const [p] of this.env.directory()) if (p === peer) return true
    return false
  }

  /** A peer is down: its children are orphans until the rendezvous winner adopts them. */
  peerDown(peer: string): void {
    for (const [id, s] of [...this.seen]) {
      if (s.host !== peer) continue
      this.seen.delete(id)
      if (s.entry.restart !== 'temporary') this.orphans.set(id, s.entry)
    }
    this.adopt()
  }

  /** Adopt the orphans whose restart falls to us. Called on every membership change. */
  adopt(): void {
    for (const [id, entry] of [...this.orphans]) {
      const next = { ...entry, epoch: entry.epoch + 1 }
      const winner = rendezvous(
        `${id}#${next.epoch}`,
        this.env.rank({ ...entry.needs, actors: entry.actor })
      )[0]
      if (winner !== this.env.self) continue
      this.orphans.delete(id)
      this.host(next).then(
        (pid) => this.env.emit('supervisor:restart', { id, pid, peer: this.env.self, restarts: 0 }),
        (err: unknown) => this.env.log('adopting %s failed: %s', id, (err as Error).message)
      )
    }
  }
}
