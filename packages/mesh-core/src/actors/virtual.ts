import { BadMessageError, NoCapablePeerError } from '../errors.ts'
import { hash32, rendezvous } from '../placement/hash.ts'
import type { WorkEnv } from '../work/env.ts'
import { isPeerLoss } from '../work/tasks.ts'
import { parseVirtual } from './casts.ts'
import type { ActorRuntime } from './runtime.ts'
import type { Pid } from './types.ts'

export interface VirtualCall {
  /** Peers that advertise this capability (and host `actor`) may own the actor. */
  capability: string
  actor: string
  id: string
  payload: unknown
  timeoutMs?: number
}

/**
 * Virtual actors (eigr Mesh, Orleans grains): addressed by (actor, id), activated on
 * demand on their owner, the rendezvous winner among the capable peers. When membership
 * changes an activation whose owner is now another peer stops (reason 'handoff') and the
 * next call activates it on the new owner.
 */
export class VirtualActors {
  /** Activations here, by key, with the capability they were placed by. */
  private readonly active = new Map<string, { pid: Pid; capability: string; actor: string; id: string }>()

  constructor(
    private readonly env: WorkEnv,
    private readonly runtime: ActorRuntime
  ) {
    env.rpc.define('mesh.virtual', async (args, ctx) => {
      const a = parseVirtual(args)
      if (typeof a === 'string') {
        const err = new BadMessageError(a)
        env.penalise(ctx.from, err)
        throw err
      }
      const cap = typeof (args as { c?: unknown }).c === 'string' ? (args as { c: string }).c : a.actor
      return await this.callHere(cap, a.actor, a.id, a.m)
    })
  }

  private owner(capability: string, actor: string, id: string): string | undefined {
    return rendezvous(`${actor}/${id}`, this.env.rank({ [capability]: true, actors: actor }))[0]
  }

  async call<R>(r: VirtualCall): Promise<R> {
    const timeoutMs = r.timeoutMs ?? 30_000
    // A lost owner is retried once: by then membership has moved the actor.
    for (let attempt = 1; ; attempt++) {
      const owner = this.owner(r.capability, r.actor, r.id)
      if (owner === undefined)
        throw new NoCapablePeerError(`no peer with "${r.capability}" hosts actor "${r.actor}"`)
      try {
        if (owner === this.env.self) return (await this.callHere(r.capability, r.actor, r.id, r.payload)) as R
        const args = { actor: r.actor, id: r.id, m: r.payload, c: r.capability }
        return (await this.env.rpc.call(owner, 'mesh.virtual', args, { timeoutMs })) as R
      } catch (err) {
        if (attempt >= 2 || !isPeerLoss(err)) throw err
      }
    }
  }

  private async callHere(capability: string, actor: string, id: string, m: unknown): Promise<unknown> {
    const key = `${actor}/${id}`
    let a = this.active.get(key)
    if (a === undefined || !this.runtime.has(a.pid)) {
      const local = `v.${hash32(key).toString(36)}.${Date.now().toString(36)}`
      const pid = await this.runtime.spawnLocal(actor, { id }, { local })
      a = { pid, capability, actor, id }
      this.active.set(key, a)
    }
    return await this.runtime.call(a.pid, m)
  }

  /** Membership changed: stop what another peer owns now. */
  rebalance(): void {
    for (const [key, a] of [...this.active]) {
      if (!this.runtime.has(a.pid)) {
        this.active.delete(key)
        continue
      }
      const owner = this.owner(a.capability, a.actor, a.id)
      if (owner !== undefined && owner !== this.env.self) {
        this.active.delete(key)
        this.runtime.local(a.pid)?.exit('handoff')
      }
    }
  }

  activations(): number {
    return this.active.size
  }
}
