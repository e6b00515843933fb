/** The driver protocol version this bridge speaks (docs/DRIVERS.md). */
export const PROTOCOL_VERSION = 1

/** Longest line either side may send, in bytes, without the newline. */
export const maxLineBytes = 65_536
/** How long a read or call may take before it rejects with `TIMEOUT`. */
export const callTimeoutMs = 5_000
/** How long a freshly spawned driver has to say hello. */
export const helloTimeoutMs = 10_000
/** First restart delay after a crash; it grows by `restartFactor` per crash, up to `restartMaxMs`. */
export const restartInitialMs = 500
export const restartMaxMs = 30_000
export const restartFactor = 2
/** A driver that stayed up this long is healthy again: its next crash restarts after `restartInitialMs`. */
export const restartStableMs = 60_000
/** On stop: stdin is closed, SIGTERM follows after this grace, SIGKILL after another. */
export const killGraceMs = 2_000
/** More rejected lines than this within `garbageWindowMs` and the driver is restarted. */
export const garbageMax = 20
export const garbageWindowMs = 10_000
/** Reads and calls in flight per driver; more reject with `UNAVAILABLE`. */
export const maxPending = 256

/** Protocol limits on what a driver may declare. */
export const maxNameLength = 64
export const maxCapabilities = 64
export const maxSensors = 64
export const maxTasks = 64
export const maxStringLength = 1_024
export const maxArrayLength = 1_024
export const maxLogLength = 4_096
/** How much of a rejected line the log quotes. */
export const excerptChars = 120
