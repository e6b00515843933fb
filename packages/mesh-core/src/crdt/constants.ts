/** Defaults and hard bounds of the CRDTs. Every default can be overridden per instance. */

/** How far ahead of our wall clock a remote timestamp may be before it is refused. */
export const DEFAULT_MAX_DRIFT_MS = 60_000
/** Live entries (element tags) one OR-Set holds, and entries one state or delta may carry. */
export const DEFAULT_MAX_ELEMENTS = 10_000
/** Ranges of removed tags one OR-Set holds, and ranges one state, delta or digest may carry. */
export const DEFAULT_MAX_TOMBSTONE_RANGES = 10_000
/** The longest node id accepted in a timestamp or a tag. */
export const MAX_NODE_ID_LENGTH = 256
/** The deepest nesting accepted in a value (the wire decoder's bound too). */
export const MAX_VALUE_DEPTH = 32
/** The largest HLC logical counter. A peer that claims more is broken, like a drifting clock. */
export const MAX_HLC_LOGICAL = 0xffff_ffff
