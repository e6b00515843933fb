import type { MeshLibp2p } from './node/create-libp2p.ts'
import type { Replica, Replicable } from './replication/replica.ts'
import type { Task } from './rpc/task.ts'
import type {
  ActorBehaviour,
  ChildSpec,
  ExitReason,
  Pid,
  SendOptions,
  SpawnOptions,
  Supervised
} from './actors/types.ts'
import type { VirtualCall } from './actors/virtual.ts'
import type { HandoffTarget } from './actors/handoff.ts'
import type { DropCounts } from './actors/runtime.ts'
import type { MapReduceOptions } from './work/tasks.ts'
import type {
  Capabilities,
  ConnectionState,
  MeshEventName,
  MeshEvents,
  Needs,
  PeerInfo,
  PeerRole,
  TaskHandler,
  TaskOptions
} from './types.ts'

/** The Mesh facade (DESIGN.md, Public API). */
export interface Mesh {
  readonly peerId: string
  readonly name: string
  readonly role: PeerRole
  /** Our own multiaddrs, each ending in /p2p/<peerId>. */
  addresses(): string[]
  connectionState(): ConnectionState
  advertise(caps: Capabilities, o?: { replace?: boolean }): Promise<void>
  capabilities(peerId?: string): Capabilities
  resolve(needs: Needs, o?: { limit?: number }): PeerInfo[]
  nodesFor(capability: string): string[]
  allCapabilities(): string[]
  peers(): PeerInfo[]
  coordinator(): string
  /** Round trip to a peer over its direct RPC link, in milliseconds (dials when needed). */
  ping(peerId: string, o?: { timeoutMs?: number }): Promise<number>
  /** Host task `name` here (advertised in capability `tasks`). */
  define(name: string, handler: TaskHandler, o?: { needs?: Needs }): void
  /** Run task `name` on the best capable peer. See `TaskOptions` for retries and placement. */
  task<R>(needs: Needs, name: string, args?: unknown, o?: TaskOptions): Task<R>
  /** Fan `items` out over the peers offering `name`, bounded per peer; results in order. */
  mapReduce<T, R, A = R[]>(
    needs: Needs,
    name: string,
    items: readonly T[],
    o?: MapReduceOptions<R, A>
  ): Promise<A>
  /** Host actor behaviour `name` here (advertised in capability `actors`). */
  actor<S, M>(name: string, behaviour: ActorBehaviour<S, M>): void
  spawn(needs: Needs, actor: string, args?: unknown, o?: SpawnOptions): Promise<Pid>
  /** Fire and forget; ordered per sender and receiver. `to` is a pid or a registered name. */
  send(to: string, message: unknown, o?: SendOptions): void
  call<R>(to: string, message: unknown, o?: { timeoutMs?: number }): Promise<R>
  /** One DOWN with a reason ('normal', 'noconnection', 'noproc', the error). Returns demonitor. */
  monitor(pid: Pid, onDown: (d: { pid: Pid; reason: ExitReason }) => void): () => void
  link(a: Pid, b: Pid): void
  unlink(a: Pid, b: Pid): void
  /** Send an exit signal: stops `pid` with `reason` (default 'normal'); 'kill' cannot be trapped. */
  exit(pid: Pid, reason?: ExitReason): void
  register(name: string, pid: Pid): Promise<void>
  unregister(name: string): void
  whereis(name: string): Pid | undefined
  callVirtual<R>(r: VirtualCall): Promise<R>
  supervise(spec: ChildSpec): Promise<Supervised>
  /**
   * Move a live actor, state and queued messages, to `{ to: peerId }` or the best peer
   * matching `{ needs }`. Resolves once it runs there; the pid stays valid, and messages
   * sent meanwhile are neither lost nor reordered. A failed handoff leaves it running here.
   */
  handoff(pid: Pid, target: HandoffTarget): Promise<Pid>
  /**
   * Hand every local actor to another peer that hosts its behaviour, now (at most 15 s);
   * resolves to how many moved. `MeshOptions.evacuate` sets when this happens by itself.
   */
  evacuate(): Promise<number>
  on<K extends MeshEventName>(event: K, fn: (detail: MeshEvents[K]) => void): () => void
  /**
   * Share a CRDT (an `OrSet`, an `LwwRegister`) with every peer that replicates one under
   * the same name: deltas by gossip, plus digest anti-entropy. Build the CRDT with this
   * peer's id as its node (`{ node: mesh.peerId }`).
   */
  replicate<C extends Replicable>(name: string, crdt: C): Replica<C>
  /**
   * Take a peer's signed 'leaving' record delivered out of band (a relay's `POST /bye`,
   * sent by a closing page's beacon) and spread the goodbye. Rejects a record that does
   * not verify or is not a goodbye.
   */
  acceptGoodbye(envelope: Uint8Array): Promise<void>
  /** Counters for what this peer rejected and dropped. */
  stats(): MeshStats
  stop(): Promise<void>
  /** The underlying libp2p node, for diagnostics and benchmarks. */
  readonly libp2p: MeshLibp2p
}

export interface MeshStats {
  badInput: number
  badInputByPeer: Record<string, number>
  /** Messages `send` dropped by priority on poor or degraded links, by peer. */
  dropped: Record<string, DropCounts>
}
