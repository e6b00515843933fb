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
