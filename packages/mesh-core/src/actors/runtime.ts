import { BadMessageError } from '../errors.ts'
import { parseCast } from './casts.ts'
import type { Cast } from './casts.ts'
import { ActorCore } from './core.ts'
import type { DownFn } from './core.ts'
import { birthHost } from './pid.ts'
import { ActorProcess } from './process.ts'
import { wireReason } from './process.ts'
import type { ExitReason, Pid } from './types.ts'
import type { Snapshot } from './process.ts'
import { RefusedError } from '../errors.ts'

export { MAX_PROCESSES } from './core.ts'
export type { DropCounts, RuntimeHooks } from './core.ts'

/**
 * Actors across the mesh: spawn, send (ordered per sender and receiver), call,
 * monitor, link, exit. Local processes live here; everything else goes by RPC casts to
 * the peer that hosts the pid.
 */
export class ActorRuntime extends ActorCore {
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
    const exit = { type: 'EXIT', from, reason }
    if (proc.trap) return proc.deliver({ k: 'msg', m: exit, from: this.env.self, sender: '' })
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
    if (birthHost(proc.pid) !== this.env.self) this.env.republish()
  }

  /** A peer is down: monitors on its actors fire 'noconnection', links break, its monitors go. */
  peerDown(peer: string): void {
    for (const [pid, host] of [...this.moved]) if (host === peer) this.moved.delete(pid)
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
      case 'send': {
        const from = c.f ?? peer
        return this.dispatch(c.to, { k: 'msg', m: c.m, from, sender: `${from}#${c.i ?? '-'}`, q: c.q }, peer)
      }
      case 'moved':
        if (c.host !== this.env.self && !this.procs.has(c.pid)) this.moved.set(c.pid, c.host)
        for (const w of this.watches.values()) if (w.pid === c.pid) w.host = c.host
        return
      case 'hreply':
        return this.hooks.hreply?.(peer, c)
      case 'adopt':
        return this.hooks.adopt?.(peer, c)
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
        // The actor's host answers, wherever a handoff took it.
        if (this.watches.get(c.ref)?.pid === c.pid) this.fire(c.ref, c.reason)
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

  /** A behaviour's view of its state for the trip (`beforeHandoff`), or the state itself. */
  beforeHandoff(actor: string, state: unknown): unknown {
    const b = this.behaviours.get(actor)
    return b?.beforeHandoff === undefined ? state : b.beforeHandoff(state)
  }

  /** A handoff of a local actor failed: the behaviour may undo what `beforeHandoff` did. */
  handoffAborted(proc: ActorProcess, err: Error): void {
    const b = this.behaviours.get(proc.actor)
    if (b?.handoffAborted === undefined) return
    try {
      const next = b.handoffAborted(proc.state, err.message)
      if (next !== undefined) proc.state = next
    } catch (e) {
      this.env.log('%s: handoffAborted threw: %s', proc.pid, (e as Error).message)
    }
  }

  /** A handed-off actor arrives here (the target side), same pid, with its queue. */
  arrive(
    pid: Pid,
    actor: string,
    snap: Snapshot,
    meta: { links: Pid[]; monitors: Array<[string, string]>; trap: boolean }
  ): void {
    const b = this.behaviours.get(actor)
    if (b === undefined) throw new RefusedError(`no actor "${actor}" is defined here`)
    if (this.procs.get(pid)?.isAlive === true) throw new RefusedError(`${pid} already runs here`)
    const proc = new ActorProcess(pid, actor, b, meta.trap, this)
    for (const l of meta.links) proc.links.add(l)
    for (const [ref, watcher] of meta.monitors) proc.monitors.set(ref, watcher)
    const state = b.afterHandoff === undefined ? snap.state : b.afterHandoff(snap.state)
    this.moved.delete(pid)
    this.procs.set(pid, proc)
    proc.restore({ ...snap, state })
    if (birthHost(pid) !== this.env.self) this.env.republish()
  }

  /**
   * The source side after activation: forward what queued, tell watchers and linked hosts.
   * `now`: a closing page, which tells them before this returns, where it can.
   */
  movedAway(proc: ActorProcess, to: string, now = false): void {
    const late = proc.takeQueued()
    proc.detach()
    if (this.procs.get(proc.pid) === proc) this.procs.delete(proc.pid)
    this.moved.set(proc.pid, to)
    for (const e of late) this.dispatch(proc.pid, e, this.env.self)
    const peers = new Set<string>(proc.monitors.values())
    for (const other of proc.links) peers.add(this.locate(other))
    for (const w of this.watches.values()) if (w.pid === proc.pid) w.host = to
    peers.delete(this.env.self)
    peers.delete(to)
    const moved = { pid: proc.pid, host: to }
    for (const p of peers)
      if (!(now && this.env.rpc.castNow(p, 'moved', moved)))
        this.env.rpc.cast(p, 'moved', moved).catch(() => {})
    if (birthHost(proc.pid) !== this.env.self) this.env.republish()
  }

  stopAll(reason: ExitReason = 'shutdown'): void {
    for (const p of [...this.procs.values()]) p.exit(reason)
  }

  pids(): Pid[] {
    return [...this.procs.keys()]
  }
}
