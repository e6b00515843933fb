import type { MeshLibp2p } from './node/create-libp2p.ts'
import type { Replica, Replicable } from './replication/replica.ts'
import type { Task } from './rpc/task.ts'
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
  define(name: string, handler: TaskHandler, o?: { needs?: Needs }): void
  task<R>(needs: Needs, name: string, args?: unknown, o?: TaskOptions): Task<R>
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
}
