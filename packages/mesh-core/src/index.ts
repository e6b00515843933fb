export { createMesh } from './create-mesh.ts'
export { matches, matchesOne } from './capabilities/match.ts'
export { capabilitiesProblem, needsProblem } from './capabilities/validate.ts'
export { evacuationPolicy } from './work/evacuation.ts'
export type { EvacuationPolicy } from './work/evacuation.ts'
export {
  ErrorCode,
  MeshError,
  NoCapablePeerError,
  TimeoutError,
  PeerLostError,
  RemoteError,
  RefusedError,
  TooLargeError,
  BadMessageError,
  CancelledError,
  StoppedError,
  InvalidBootstrapAddressError,
  InvalidOptionsError,
  InvalidCapabilitiesError
} from './errors.ts'
export { Task } from './rpc/task.ts'
export { Rpc } from './rpc/rpc.ts'
export { Work } from './work/work.ts'
export { rendezvous, hash32 } from './placement/hash.ts'
export { RPC_PROTOCOL, REGISTRY_PROTOCOL, RECORDS_TOPIC, DEFAULT_HEALTH } from './constants.ts'
export { encodeCbor, decodeCbor } from './wire/cbor.ts'
export { encodeFrame, FrameDecoder } from './wire/framing.ts'
export { openRecord, signRecord } from './registry/record.ts'
export {
  Hlc,
  compareHlc,
  parseHlcTimestamp,
  LwwRegister,
  OrSet,
  canonicalKey,
  plainValueProblem,
  InvalidCrdtStateError,
  ClockDriftError,
  DEFAULT_MAX_DRIFT_MS,
  DEFAULT_MAX_ELEMENTS,
  DEFAULT_MAX_TOMBSTONE_RANGES
} from './crdt/index.ts'

export type { Mesh, MeshStats } from './api.ts'
export type {
  ActorBehaviour,
  ActorContext,
  ChildSpec,
  ExitMessage,
  ExitReason,
  Pid,
  Priority,
  SendOptions,
  SpawnOptions,
  Supervised
} from './actors/types.ts'
export type { VirtualCall } from './actors/virtual.ts'
export type { DropCounts } from './actors/runtime.ts'
export type { MapReduceOptions } from './work/tasks.ts'
export type { WorkEnv } from './work/env.ts'
export type { RpcTransport, Channel, ChannelEvents, MakeChannel } from './rpc/transport.ts'
export type { Replica, Replicable } from './replication/replica.ts'
export type {
  HlcInit,
  HlcTimestamp,
  LwwEntry,
  LwwRegisterDelta,
  LwwRegisterDigest,
  LwwRegisterInit,
  LwwRegisterState,
  OrSetDelta,
  OrSetDigest,
  OrSetInit,
  OrSetState,
  DotRanges,
  GuardOption,
  PlainValue,
  ValueGuard
} from './crdt/index.ts'
export type { PeerRecord, SignedRecord } from './registry/record.ts'
export type {
  CapabilityValue,
  Capabilities,
  Range,
  Needs,
  LinkKind,
  LinkQuality,
  PeerStatus,
  PeerRole,
  PeerInfo,
  HealthOptions,
  EvacuationOptions,
  EvacuationReason,
  LimitOptions,
  RelayLimits,
  MeshOptions,
  MeshEvents,
  MeshEventName,
  ConnectionState,
  TaskContext,
  TaskHandler,
  TaskOptions
} from './types.ts'
export type { ErrorCode as ErrorCodeName, WireError } from './errors.ts'
