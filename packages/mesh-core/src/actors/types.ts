/** An actor's address: an opaque, serialisable string, valid across restarts and handoff. */
export type Pid = string

/** Why an actor stopped: 'normal', 'noconnection', 'noproc', 'killed', 'shutdown', 'duplicate', 'handoff', or the error. */
export type ExitReason = string

export type Priority = 'critical' | 'high' | 'normal' | 'low'

export interface SendOptions {
  /** Critical and high always go; normal is dropped on poor links, low on degraded ones. @default 'normal' */
  priority?: Priority
}

/** The message a trapping actor gets when a linked actor exits. */
export interface ExitMessage {
  type: 'EXIT'
  from: Pid
  reason: ExitReason
}

export interface ActorContext {
  /** This actor's pid. */
  readonly self: Pid
  /** The peer the current message came from. */
  readonly from: string
  /** Answer the current `call` (the first reply counts; none answers `undefined`). */
  reply(value: unknown): void
  send(to: string, message: unknown, o?: SendOptions): void
  call<R>(to: string, message: unknown, o?: { timeoutMs?: number }): Promise<R>
  /** Stop this actor after the current message, with `reason` (default 'normal'). */
  stop(reason?: ExitReason): void
}

/**
 * An actor behaviour (a gen_server): `init` builds the state from the spawn arguments,
 * `handle` returns the new state (undefined keeps it), `terminate` runs on the way out.
 * State is plain, CBOR-encodable data. Code never crosses the wire: the peers that
 * define a behaviour host it, and advertise it as capability `actors`.
 */
export interface ActorBehaviour<S = unknown, M = unknown> {
  init?(args: unknown, ctx: ActorContext): S | Promise<S>
  handle(message: M, state: S, ctx: ActorContext): S | undefined | Promise<S | undefined>
  terminate?(reason: ExitReason, state: S): void | Promise<void>
  /** Before a handoff: turn state that is not plain data into data for the trip. */
  beforeHandoff?(state: S): unknown
  /** After a handoff, on the new peer: rebuild the state from what `beforeHandoff` made. */
  afterHandoff?(data: unknown): S
  /**
   * A handoff failed after `beforeHandoff` ran: the actor stays here. Undo what
   * `beforeHandoff` did outside the state (stopped audio, closed devices); a returned
   * state replaces the current one.
   */
  handoffAborted?(state: S, reason: string): S | undefined
  /** Receive linked actors' exits as `ExitMessage`s instead of exiting too. */
  trapExits?: boolean
}

export interface SpawnOptions {
  /** Spawn on this peer, skipping placement. */
  peer?: string
  /** Override the behaviour's `trapExits`. */
  trapExits?: boolean
  /** @default 30_000 */
  timeoutMs?: number
  /** `{ hash: key }`: a deterministic host among capable peers. */
  placement?: { hash: string }
}

export interface ChildSpec {
  /** Unique in the mesh: one live instance per id. */
  id: string
  needs: Record<string, unknown>
  actor: string
  args?: unknown
  /** permanent: always restart; transient: only after an abnormal exit; temporary: never. @default 'permanent' */
  restart?: 'permanent' | 'transient' | 'temporary'
  /** Restarts allowed within `withinMs` before the supervisor gives up. @default 3 */
  maxRestarts?: number
  /** @default 5_000 */
  withinMs?: number
}

export interface Supervised {
  readonly id: string
  /** Stays valid across restarts, on whichever peer the child runs. */
  readonly pid: Pid
  /** Stop the child for good (reason 'shutdown'). */
  stop(): Promise<void>
}
