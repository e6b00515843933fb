import { InvalidOptionsError, RefusedError, TooLargeError } from '../errors.ts'
import type { WorkEnv } from '../work/env.ts'
import { MAX_NAMES_PER_PEER, directorySizeProblem, nameProblem, winningClaim } from './directory.ts'
import type { ChildEntry, NameClaim } from './directory.ts'
import { isPid } from './pid.ts'
import type { ActorRuntime } from './runtime.ts'
import type { Pid } from './types.ts'

/**
 * Mesh-wide names (`register`, `whereis`, `unregister`). Each peer publishes the names it
 * registered in its own record, and the peer an actor moves to claims the actor's names
 * too, so a name lives as long as its actor or its registering peer does. A
 * conflict (two peers claimed one name, e.g. across a partition) goes to the earlier
 * claim, ties to the lower peer id; the losing peer drops its claim and emits `name:lost`.
 */
export class NameTable {
  private readonly mine = new Map<string, NameClaim>()
  private readonly unwatch = new Map<string, () => void>()

  constructor(
    private readonly env: WorkEnv,
    private readonly runtime: ActorRuntime,
    /** Whether a pid will come back (a supervised child): its name outlives a DOWN. */
    private readonly returns: (pid: Pid) => boolean = () => false,
    /** Our supervised children, to check that names and children still fit our record. */
    private readonly children: () => ChildEntry[] = () => []
  ) {}

  claims(): Record<string, NameClaim> {
    return Object.fromEntries(this.mine)
  }

  register(name: string, pid: Pid): void {
    const problem = nameProblem(name)
    if (problem !== undefined) throw new InvalidOptionsError(problem)
    if (!isPid(pid)) throw new InvalidOptionsError(`${pid} is not a pid`)
    const current = this.whereis(name)
    if (current !== undefined && current !== pid)
      throw new RefusedError(`"${name}" is registered to ${current}`)
    if (current === pid) return
    if (this.mine.size >= MAX_NAMES_PER_PEER)
      throw new RefusedError(`a peer registers at most ${MAX_NAMES_PER_PEER} names`)
    const claim = { pid, at: this.env.now() }
    const tooBig = directorySizeProblem({
      names: { ...this.claims(), [name]: claim },
      children: this.children()
    })
    if (tooBig !== undefined) throw new TooLargeError(tooBig)
    this.claim(name, claim)
    this.env.republish()
  }

  private claim(name: string, claim: NameClaim): void {
    this.unwatch.get(name)?.()
    this.mine.set(name, claim)
    // The name goes with its actor, unless the actor's peer was only cut off or a
    // supervisor brings the same pid back.
    const pid = claim.pid
    this.unwatch.set(
      name,
      this.runtime.monitor(pid, ({ reason }) => {
        if (reason === 'noconnection' || this.returns(pid)) return
        if (this.mine.get(name)?.pid === pid) this.unregister(name)
      })
    )
  }

  /** The names whose winning claim points at `pid`, with those claims (for a handoff). */
  namesOf(pid: Pid): Array<[string, NameClaim]> {
    const names = new Set(this.mine.keys())
    for (const [, entry] of this.env.directory()) for (const n of Object.keys(entry.names)) names.add(n)
    const out: Array<[string, NameClaim]> = []
    for (const n of names) {
      const win = winningClaim(this.all(n))
      if (win?.claim.pid === pid) out.push([n, win.claim])
    }
    return out
  }

  /**
   * An actor arrived by handoff: its host claims its names too, with their original
   * times, so the names outlive the peer that registered them (names follow the actor).
   */
  adoptNames(pid: Pid, names: Array<[string, NameClaim]>): void {
    let changed = false
    for (const [name, claim] of names) {
      if (claim.pid !== pid || this.mine.get(name)?.pid === pid) continue
      if (this.mine.size >= MAX_NAMES_PER_PEER) break
      this.claim(name, claim)
      changed = true
    }
    if (changed) this.env.republish()
  }

  /** The actor moved away: its new host claims its names now; drop ours. */
  releaseNames(pid: Pid): void {
    for (const [name, claim] of [...this.mine]) if (claim.pid === pid) this.unregister(name)
  }

  unregister(name: string): void {
    if (!this.mine.delete(name)) return
    this.unwatch.get(name)?.()
    this.unwatch.delete(name)
    this.env.republish()
  }

  whereis(name: string): Pid | undefined {
    return winningClaim(this.all(name))?.claim.pid
  }

  private *all(name: string): Iterable<{ peer: string; claim: NameClaim }> {
    const own = this.mine.get(name)
    if (own !== undefined) yield { peer: this.env.self, claim: own }
    for (const [peer, entry] of this.env.directory()) {
      const c = entry.names[name]
      if (c !== undefined) yield { peer, claim: c }
    }
  }

  /** Records changed: give up the claims we lost. */
  resolveConflicts(): void {
    for (const [name, claim] of [...this.mine]) {
      const win = winningClaim(this.all(name))
      if (win === undefined || win.peer === this.env.self) continue
      // Another claim for the same actor (its registering peer, or a host it had): the
      // host keeps its own, so the name lasts as long as the actor does.
      if (win.claim.pid === claim.pid && this.runtime.has(claim.pid)) continue
      this.unregister(name)
      if (win.claim.pid === claim.pid) continue
      this.env.log('name %s lost to %s (%s)', name, win.peer, win.claim.pid)
      this.env.emit('name:lost', { name, pid: claim.pid, winner: win.claim.pid })
    }
  }
}
