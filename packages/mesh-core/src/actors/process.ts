import { RefusedError } from '../errors.ts'
import { MAX_REASON } from './casts.ts'
import { Inbox } from './inbox.ts'
import type { InboxState } from './inbox.ts'
import type { Logger } from '../log.ts'
import type { ActorBehaviour, ActorContext, ExitReason, Pid, SendOptions } from './types.ts'

/** What sits in a mailbox. */
export type Envelope = (
  | { k: 'msg'; m: unknown; from: string }
  | { k: 'call'; m: unknown; from: string; reply(v: unknown): void; fail(e: Error): void }
) & {
  /** Who numbered it: the sending peer and its incarnation. */
  sender: string
  /** Its number in the sender's order to this pid; none for system messages (EXIT). */
  q?: number | undefined
}

/** An actor frozen for a handoff. */
export interface Snapshot {
  state: unknown
  inbox: InboxState
  queued: Envelope[]
  held: Envelope[]
}

/** What a process needs from the runtime that hosts it. */
export interface ProcessHost {
  readonly log: Logger
  send(to: string, message: unknown, o?: SendOptions): void
  call<R>(to: string, message: unknown, o?: { timeoutMs?: number }): Promise<R>
  /** The process has stopped, its terminate has run: tell monitors and links. */
  exited(proc: ActorProcess, reason: ExitReason): void
}

/** How an error ends an actor: its reason, as monitors and links see it. */
export function crashReason(err: unknown): ExitReason {
  return wireReason(err instanceof Error ? `${err.name}: ${err.message}` : String(err))
}

/** A reason as it can travel: non-empty and at most MAX_REASON characters. */
export function wireReason(r: string): ExitReason {
  return r.length === 0 ? 'normal' : r.slice(0, MAX_REASON)
}

/**
 * One local actor: a mailbox handled one message at a time, in arrival order, with the
 * behaviour's state between messages.
 */
export class ActorProcess {
  readonly links = new Set<Pid>()
  /** Who watches this process: ref → watcher peer id. */
  readonly monitors = new Map<string, string>()
  state: unknown
  trap: boolean
  private mailbox: Envelope[] = []
  private readonly inbox = new Inbox((e) => this.enqueue(e))
  private busy = false
  private frozen = false
  private idle: (() => void) | undefined
  private alive = true
  private stopAfter: ExitReason | undefined

  constructor(
    readonly pid: Pid,
    readonly actor: string,
    private readonly behaviour: ActorBehaviour,
    trap: boolean | undefined,
    private readonly host: ProcessHost
  ) {
    this.trap = trap ?? behaviour.trapExits === true
  }

  get isAlive(): boolean {
    return this.alive
  }

  /** Frozen for a handoff under way. */
  get isFrozen(): boolean {
    return this.frozen
  }

  /** Handling a message: its result is not in `state` yet. */
  get isBusy(): boolean {
    return this.busy
  }

  /** Run init; throws what init throws (the spawn fails and nothing is left running). */
  async start(args: unknown): Promise<void> {
    const ctx = this.context('', undefined)
    this.state = this.behaviour.init === undefined ? args : await this.behaviour.init(args, ctx)
  }

  /** In order per sender (see Inbox), then into the mailbox. */
  deliver(e: Envelope): void {
    if (!this.alive) {
      if (e.k === 'call') e.fail(new RefusedError(`noproc: ${this.pid} has stopped`))
      return
    }
    this.inbox.accept(e)
  }

  private enqueue(e: Envelope): void {
    this.mailbox.push(e)
    if (!this.busy && !this.frozen) void this.pump()
  }

  /** Stop handling messages (they queue) once the current one is done. */
  async freeze(): Promise<void> {
    this.frozen = true
    while (this.busy) await new Promise<void>((r) => (this.idle = r))
  }

  /**
   * What moves with a handoff: state, each sender's numbering, the queued messages (in
   * order) and the held ones (waiting for a gap). The mailbox empties.
   */
  takeSnapshot(): Snapshot {
    const queued = this.mailbox.splice(0)
    return { state: this.state, inbox: this.inbox.state(), queued, held: this.inbox.takeHeld() }
  }

  /** What arrived since the snapshot (to forward with its numbers), leaving nothing here. */
  takeQueued(): Envelope[] {
    return [...this.mailbox.splice(0), ...this.inbox.takeHeld()]
  }

  /** A handoff failed: put the snapshot's messages back and go on here. */
  thaw(s?: Snapshot): void {
    if (s !== undefined) {
      this.mailbox.unshift(...s.queued)
      for (const e of s.held) this.inbox.accept(e)
    }
    this.frozen = false
    if (!this.busy) void this.pump()
  }

  /** Become the actor a snapshot describes (the target side of a handoff). */
  restore(s: Snapshot): void {
    this.state = s.state
    this.inbox.restore(s.inbox)
    for (const e of s.queued) this.enqueue(e)
    for (const e of s.held) this.inbox.accept(e)
  }

  /** Gone elsewhere: no terminate, no exit notices; the new host carries on. */
  detach(): void {
    this.alive = false
    this.inbox.close()
  }

  /** Stop now: what is still in the mailbox is dropped, pending calls fail. */
  exit(reason: ExitReason): void {
    if (!this.alive) return
    this.alive = false
    for (const e of [...this.mailbox.splice(0), ...this.inbox.takeHeld()]) {
      if (e.k === 'call') e.fail(new RefusedError(`noproc: ${this.pid} stopped (${reason})`))
    }
    void this.finish(reason)
  }

  private async finish(reason: ExitReason): Promise<void> {
    try {
      await this.behaviour.terminate?.(reason, this.state)
    } catch (err) {
      this.host.log('terminate of %s threw: %s', this.pid, (err as Error).message)
    }
    this.host.exited(this, reason)
  }

  private context(from: string, e: Envelope | undefined): ActorContext {
    let replied = false
    return {
      self: this.pid,
      from,
      reply: (v) => {
        if (replied || e?.k !== 'call') return
        replied = true
        e.reply(v)
      },
      send: (to, m, o) => this.host.send(to, m, o),
      call: <R>(to: string, m: unknown, o?: { timeoutMs?: number }) => this.host.call<R>(to, m, o),
      stop: (reason = 'normal') => {
        this.stopAfter = reason
      }
    }
  }

  private async pump(): Promise<void> {
    this.busy = true
    try {
      while (this.alive && !this.frozen) {
        const e = this.mailbox.shift()
        if (e === undefined) break
        const ctx = this.context(e.from, e)
        try {
          const next = await this.behaviour.handle(e.m, this.state, ctx)
          if (!this.alive) break
          if (next !== undefined) this.state = next
          if (e.k === 'call') ctx.reply(undefined)
        } catch (err) {
          if (e.k === 'call') e.fail(err instanceof Error ? err : new Error(String(err)))
          this.exit(crashReason(err))
          break
        }
        if (this.stopAfter !== undefined) {
          this.exit(this.stopAfter)
          break
        }
      }
    } finally {
      this.busy = false
      this.idle?.()
      this.idle = undefined
    }
  }
}
