import { MAX_GUESTS_PER_PEER, directorySizeProblem } from '../actors/directory.ts'
import type { DirectoryEntry } from '../actors/directory.ts'
import { birthHost } from '../actors/pid.ts'
import { NameTable } from '../actors/names.ts'
import { ActorRuntime } from '../actors/runtime.ts'
import type {
  ActorBehaviour,
  ChildSpec,
  ExitReason,
  Pid,
  SendOptions,
  SpawnOptions,
  Supervised
} from '../actors/types.ts'
import { VirtualActors } from '../actors/virtual.ts'
import { Handoffs } from '../actors/handoff.ts'
import type { HandoffTarget } from '../actors/handoff.ts'
import type { VirtualCall } from '../actors/virtual.ts'
import { InvalidOptionsError } from '../errors.ts'
import type { Task } from '../rpc/task.ts'
import { Supervisor } from '../supervision/supervisor.ts'
import { matches } from '../capabilities/match.ts'
import { needsProblem } from '../capabilities/validate.ts'
import type { Capabilities, EvacuationReason, Needs, TaskHandler, TaskOptions } from '../types.ts'
import type { WorkEnv } from './env.ts'
import { TaskRunner } from './tasks.ts'
import type { MapReduceOptions } from './tasks.ts'

/**
 * Tasks, actors, names, virtual actors and supervision, assembled over a `WorkEnv`.
 * `MeshNode` feeds it membership and record changes; so does the simulated network.
 */
export class Work {
  readonly tasks: TaskRunner
  readonly runtime: ActorRuntime
  readonly names: NameTable
  readonly virtual: VirtualActors
  readonly supervisor: Supervisor
  readonly handoffs: Handoffs

  constructor(readonly env: WorkEnv) {
    this.tasks = new TaskRunner(env)
    this.runtime = new ActorRuntime(env)
    this.names = new NameTable(
      env,
      this.runtime,
      (pid) => this.supervisor.supervises(pid),
      () => this.supervisor.entries()
    )
    this.virtual = new VirtualActors(env, this.runtime)
    this.supervisor = new Supervisor(env, this.runtime, () => this.names.claims())
    this.handoffs = new Handoffs(env, this.runtime)
    this.handoffs.hooks = {
      releaseChild: (pid) => this.supervisor.releaseChild(pid),
      restoreChild: (entry) => this.supervisor.restoreChild(entry),
      adoptChild: (entry) => this.supervisor.adoptChild(entry),
      namesOf: (pid) => this.names.namesOf(pid),
      adoptNames: (pid, names) => this.names.adoptNames(pid, names),
      releaseNames: (pid) => this.names.releaseNames(pid)
    }
    this.runtime.hooks = {
      locate: (pid) => this.supervisor.locate(pid) ?? this.guestHosts.get(pid),
      exited: (proc, reason) => this.supervisor.onExit(proc, reason),
      whereis: (name) => this.names.whereis(name),
      hreply: (peer, c) => this.handoffs.onReply(peer, c),
      adopt: (peer, c) => this.handoffs.onAdopt(peer, c)
    }
  }

  /** What goes in our record: the behaviours we host, names, supervised children. */
  private readonly taskNeeds = new Map<string, Needs>()

  /** The tasks we offer given our own capabilities: one defined with `needs` only while they match. */
  hostedTasks(own: Capabilities): string[] {
    return this.env.rpc.names().filter((n) => {
      if (n.startsWith('mesh.')) return false
      const needs = this.taskNeeds.get(n)
      return needs === undefined || matches(own, needs)
    })
  }

  hostedActors(): string[] {
    return this.runtime.hosted()
  }

  directory(): DirectoryEntry {
    const guests = this.movable()
      .filter((p) => birthHost(p) !== this.env.self)
      .slice(0, MAX_GUESTS_PER_PEER)
    const entry: DirectoryEntry = { names: this.names.claims(), children: this.supervisor.entries() }
    if (guests.length === 0) return entry
    // Names and children come first; guests fill what room the record has left.
    while (guests.length > 0 && directorySizeProblem({ ...entry, guests }) !== undefined) guests.pop()
    return guests.length > 0 ? { ...entry, guests } : entry
  }

  /** Where other peers say the actors born elsewhere that they host run. */
  private guestHosts = new Map<Pid, string>()

  /** A record arrived or went: names, children and guests may have moved. */
  directoryChanged(): void {
    const guests = new Map<Pid, string>()
    for (const [peer, dir] of this.env.directory()) for (const g of dir.guests ?? []) guests.set(g, peer)
    this.guestHosts = guests
    this.names.resolveConflicts()
    this.supervisor.directoryChanged()
  }

  /** A peer left or went down. */
  peerDown(peer: string, why: string): void {
    this.env.rpc.peerLost(peer, why)
    this.runtime.peerDown(peer)
    this.supervisor.peerDown(peer)
    this.virtual.rebalance()
  }

  /** A peer joined, or its health or capabilities changed. */
  membershipChanged(): void {
    this.supervisor.adopt()
    this.virtual.rebalance()
  }

  stopped = false

  /** The peer is stopping: actors stop ('shutdown'); supervised children stay listed for adoption. */
  stop(): void {
    this.stopped = true
    this.supervisor.stopping = true
    this.runtime.stopAll('shutdown')
  }

  // ---- the Mesh API ------------------------------------------------------------------

  define(name: string, handler: TaskHandler, needs?: Needs): void {
    if (name.length === 0 || name.length > 256)
      throw new InvalidOptionsError('a task name is 1 to 256 characters')
    if (name.startsWith('mesh.'))
      throw new InvalidOptionsError('task names starting with "mesh." are reserved')
    if (needs !== undefined) {
      const problem = needsProblem(needs)
      if (problem !== undefined) throw new InvalidOptionsError(problem)
      this.taskNeeds.set(name, needs)
    } else this.taskNeeds.delete(name)
    this.env.rpc.define(name, handler)
  }

  task<R>(needs: Needs, name: string, args?: unknown, o?: TaskOptions): Task<R> {
    return this.tasks.run<R>(needs, name, args, o)
  }

  mapReduce<T, R, A = R[]>(
    needs: Needs,
    name: string,
    items: readonly T[],
    o?: MapReduceOptions<R, A>
  ): Promise<A> {
    return this.tasks.mapReduce<T, R, A>(needs, name, items, o)
  }

  actor(name: string, behaviour: ActorBehaviour<never, never>): void {
    this.runtime.define(name, behaviour)
  }

  spawn(needs: Needs, actor: string, args?: unknown, o?: SpawnOptions): Promise<Pid> {
    return this.runtime.spawn(needs, actor, args ?? null, o)
  }

  send(to: string, message: unknown, o?: SendOptions): void {
    this.runtime.send(to, message, o)
  }

  call<R>(to: string, message: unknown, o?: { timeoutMs?: number }): Promise<R> {
    return this.runtime.call<R>(to, message, o)
  }

  monitor(pid: Pid, onDown: (d: { pid: Pid; reason: ExitReason }) => void): () => void {
    return this.runtime.monitor(pid, onDown)
  }

  link(a: Pid, b: Pid): void {
    this.runtime.link(a, b)
  }

  unlink(a: Pid, b: Pid): void {
    this.runtime.unlink(a, b)
  }

  exit(pid: Pid, reason?: ExitReason): void {
    this.runtime.exit(pid, reason)
  }

  async register(name: string, pid: Pid): Promise<void> {
    this.names.register(name, pid)
    await Promise.resolve()
  }

  unregister(name: string): void {
    this.names.unregister(name)
  }

  whereis(name: string): Pid | undefined {
    return this.names.whereis(name)
  }

  callVirtual<R>(r: VirtualCall): Promise<R> {
    return this.virtual.call<R>(r)
  }

  handoff(pid: Pid, target: HandoffTarget): Promise<Pid> {
    return this.handoffs.handoff(pid, target)
  }

  /** The local actors an evacuation moves: all but virtual activations. */
  movable(): Pid[] {
    return this.runtime.pids().filter((p) => !p.startsWith(`${this.env.self}/v.`))
  }

  /**
   * Hand each local actor to another capable peer (virtual activations excepted: their
   * next call activates them on the new owner), for at most `ms`. Emits `evacuate`.
   */
  async evacuate(ms: number, reason: EvacuationReason): Promise<number> {
    const pids = this.movable()
    if (pids.length === 0) return 0
    // A closing page first pushes each actor away in one frame (Handoffs.adoptAway), before
    // this returns; the rest try the full handoff, which the page may not live to finish.
    const adopted = reason === 'pagehide' ? pids.map((p) => this.handoffs.adoptAway(p)) : []
    const rest = pids.filter((_, i) => adopted[i] === undefined)
    const moved: Pid[] = pids.filter((_, i) => adopted[i] !== undefined)
    // Waiting for records would only hold the goodbye back from a page on its way out.
    if (rest.length === 0) return this.evacuated(reason, moved.length, pids.length)
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline = new Promise<void>((r) => (timer = setTimeout(r, ms)))
    const end = this.env.now() + ms
    const all = Promise.allSettled(
      rest.map((p) =>
        this.handoffs.handoff(p, { needs: {} }).then(
          () => void moved.push(p),
          (err: Error) => this.env.log('evacuate: %s stays here: %s', p, err.message)
        )
      )
    )
    await Promise.race([all, deadline])
    clearTimeout(timer)
    // Before this peer goes (and with it the forwarding its pids rely on), wait, within the
    // budget, until the new hosts' records list the actors as guests: then others find them.
    const where = moved.map((p) => [p, this.runtime.locate(p)] as const)
    while (this.env.now() < end && where.some(([p, host]) => this.guestHosts.get(p) !== host))
      await new Promise((r) => setTimeout(r, 20))
    return this.evacuated(reason, moved.length, pids.length)
  }

  private evacuated(reason: EvacuationReason, moved: number, actors: number): number {
    this.env.emit('evacuate', { reason, moved, actors })
    return moved
  }

  supervise(spec: ChildSpec): Promise<Supervised> {
    return this.supervisor.supervise(spec)
  }
}
