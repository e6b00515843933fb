import type { Logger } from '../log.ts'
import type { Rpc } from '../rpc/rpc.ts'
import type { LinkQuality, MeshEventName, MeshEvents, Needs } from '../types.ts'
import type { DirectoryEntry } from '../actors/directory.ts'

/**
 * What the task, actor and supervision layers need from the peer they run in. `MeshNode`
 * provides it over libp2p; the simulated network in the tests provides it in memory, so
 * the same code is tested deterministically.
 */
export interface WorkEnv {
  readonly self: string
  readonly rpc: Rpc
  readonly log: Logger
  /** Ids of healthy peers that match `needs`, us included, best first (DESIGN.md placement). */
  rank(needs: Needs): string[]
  /** Our link quality to a peer. */
  quality(peer: string): LinkQuality
  emit<K extends MeshEventName>(event: K, detail: MeshEvents[K]): void
  /** What we host or registered changed: publish our record again soon. */
  republish(): void
  /** The directory entries in the records of every live peer but us. */
  directory(): Iterable<[string, DirectoryEntry]>
  /** Count bad input from a peer against it (and hang up on repeat offenders). */
  penalise(peer: string, err: Error): void
  /** Wall clock, ms. */
  now(): number
}
