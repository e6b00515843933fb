import type {
  ActorBehaviour,
  ChildSpec,
  ExitReason,
  Pid,
  SendOptions,
  SpawnOptions,
  Supervised
} from '../actors/types.ts'
import type { VirtualCall } from '../actors/virtual.ts'
import type { HandoffTarget } from '../actors/handoff.ts'
import { EVACUATE_UNHURRIED_MS } from '../constants.ts'
import { StoppedError } from '../errors.ts'
import type { Task } from '../rpc/task.ts'
import type { Needs, TaskHandler, TaskOptions } from '../types.ts'
import type { MapReduceOptions } from './tasks.ts'
import type { Work } from './work.ts'

/** The work half of the Mesh API (tasks, actors, supervision), delegated to `Work`. */
export abstract class WorkFacade {
  protected abstract readonly work: Work

  private live(): Work {
    if (this.work.stopped) throw new StoppedError()
    return this.work
  }

  /** Host task `name`; with `needs`, offer it only while our own capabilities match them. */
  define(name: string, handler: TaskHandler, o: { needs?: Needs } = {}): void {
    this.live().define(name, handler, o.needs)
    this.hostedChanged(() => this.work.env.rpc.undefine(name))
  }

  actor<S, M>(name: string, behaviour: ActorBehaviour<S, M>): void {
    this.live().actor(name, behaviour as ActorBehaviour<never, never>)
    this.hostedChanged(() => this.work.runtime.undefine(name))
  }

  /** Republish our record after what we host changed; `undo` when it cannot go out. */
  protected abstract hostedChanged(undo: () => void): void

  task<R>(needs: Needs, name: string, args?: unknown, o?: TaskOptions): Task<R> {
    return this.live().task<R>(needs, name, args, o)
  }

  mapReduce<T, R, A = R[]>(
    needs: Needs,
    name: string,
    items: readonly T[],
    o?: MapReduceOptions<R, A>
  ): Promise<A> {
    return this.live().mapReduce<T, R, A>(needs, name, items, o)
  }

  spawn(needs: Needs, actor: string, args?: unknown, o?: SpawnOptions): Promise<Pid> {
    return this.live().spawn(needs, actor, args, o)
  }

  send(to: string, message: unknown, o?: SendOptions): void {
    this.live().send(to, message, o)
  }

  call<R>(to: string, message: unknown, o?: { timeoutMs?: number }): Promise<R> {
    return this.live().call<R>(to, message, o)
  }

  monitor(pid: Pid, onDown: (d: { pid: Pid; reason: ExitReason }) => void): () => void {
    return this.live().monitor(pid, onDown)
  }

  link(a: Pid, b: Pid): void {
    this.live().link(a, b)
  }

  unlink(a: Pid, b: Pid): void {
    this.live().unlink(a, b)
  }

  exit(pid: Pid, reason?: ExitReason): void {
    this.live().exit(pid, reason)
  }

  register(name: string, pid: Pid): Promise<void> {
    return this.live().register(name, pid)
  }

  unregister(name: string): void {
    this.live().unregister(name)
  }

  whereis(name: string): Pid | undefined {
    return this.live().whereis(name)
  }

  callVirtual<R>(r: VirtualCall): Promise<R> {
    return this.live().callVirtual<R>(r)
  }

  /** Move a live actor to another peer with its state; the pid stays valid. */
  handoff(pid: Pid, target: HandoffTarget): Promise<Pid> {
    return this.live().handoff(pid, target)
  }

  supervise(spec: ChildSpec): Promise<Supervised> {
    return this.live().supervise(spec)
  }

  /** Hand every local actor to another capable peer now (at most 15 s); resolves to how many moved. */
  evacuate(): Promise<number> {
    return this.live().evacuate(EVACUATE_UNHURRIED_MS, 'request')
  }
}
