/**
 * State-based CRDTs with deltas, for shared state over gossip (the Raxol Swarm seed):
 * a hybrid logical clock, a last-writer-wins register and an add-wins OR-Set.
 *
 * - Every local change returns a delta: broadcast it; peers `applyDelta()` it. Deltas
 *   may be lost, repeated or reordered; replicas still converge.
 * - Anti-entropy catches what gossip lost: A sends `digest()`, B answers with
 *   `missing(digestOfA)`, A applies it; both ways, and both hold the join.
 * - Everything crossing the wire is plain data (CBOR-ready) and every inbound state,
 *   delta or digest is validated; a bad one throws `InvalidCrdtStateError` and changes
 *   nothing. Bounds are per instance (`maxElements`, `maxTombstoneRanges`, `maxDriftMs`).
 * - Nothing here authenticates origins: a delta can name any node. The transport must
 *   only accept new tags and timestamps from the peer they name, or from signed gossip.
 */
export { Hlc, compareHlc, parseHlcTimestamp } from './hlc.ts'
export { LwwRegister } from './lww-register.ts'
export { OrSet } from './or-set.ts'
export { canonicalKey, plainValueProblem } from './value.ts'
export { InvalidCrdtStateError, ClockDriftError } from './errors.ts'
export {
  DEFAULT_MAX_DRIFT_MS,
  DEFAULT_MAX_ELEMENTS,
  DEFAULT_MAX_TOMBSTONE_RANGES,
  MAX_HLC_LOGICAL,
  MAX_NODE_ID_LENGTH,
  MAX_VALUE_DEPTH
} from './constants.ts'

export type { HlcInit, HlcTimestamp } from './hlc.ts'
export type {
  LwwEntry,
  LwwRegisterDelta,
  LwwRegisterDigest,
  LwwRegisterInit,
  LwwRegisterState
} from './lww-register.ts'
export type { OrSetDelta, OrSetDigest, OrSetInit, OrSetState } from './or-set.ts'
export type { DotRanges } from './dots.ts'
export type { GuardOption, PlainValue, ValueGuard } from './value.ts'
