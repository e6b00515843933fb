import type { Capabilities } from 'mesh-core'
import type { Reading, Source, SourceLog } from '../source.ts'

/** Timers and time, injectable so tests control backoff and stability windows. */
export interface DriverClock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface DriverRestartInit {
  /** @default 500 */
  initialMs?: number
  /** @default 30_000 */
  maxMs?: number
  /** @default 2 */
  factor?: number
  /** Uptime after which the backoff starts again from `initialMs`. @default 60_000 */
  stableMs?: number
}

export interface DriverGarbageInit {
  /** Rejected lines tolerated within `windowMs`; one more restarts the driver. @default 20 */
  max?: number
  /** @default 10_000 */
  windowMs?: number
}

/** One entry of the bridge config's `drivers: [...]`. */
export interface DriverInit {
  /** Names the source (`driver:<name>`) and prefixes its sensor ids (`<name>.<sensor>`). */
  name: string
  /** The executable; looked up on `PATH`, not run through a shell. */
  command: string
  /** @default [] */
  args?: string[]
  /** Added to the bridge's own environment. @default {} */
  env?: Record<string, string>
  /** @default the bridge's working directory */
  cwd?: string
  /** How long a read or call may take. @default 5_000 */
  timeoutMs?: number
  /** How long a new process has to send `hello`. @default 10_000 */
  helloTimeoutMs?: number
  restart?: DriverRestartInit
  /** Grace between closing stdin, SIGTERM and SIGKILL. @default 2_000 */
  killGraceMs?: number
  /** Longest accepted line, in bytes. @default 65_536 */
  maxLineBytes?: number
  garbage?: DriverGarbageInit
  /** Reads and calls in flight. @default 256 */
  maxPending?: number
}

export interface DriverComponents {
  log: SourceLog
  /** @default the real clock */
  clock?: DriverClock
}

export type DriverStatus = 'idle' | 'starting' | 'up' | 'down' | 'stopped'

/** Why a driver process went away, or was taken away. */
export type DriverDownReason = 'exit' | 'spawn-failed' | 'hello-timeout' | 'bad-hello' | 'garbage' | 'stopped'

export interface DriverEvents {
  /** A process was started. */
  spawn: { pid: number | undefined; attempt: number }
  /** It said hello; its capabilities, sensors and tasks are advertised. */
  up: { pid: number | undefined; restarts: number }
  /** It is gone, or being taken down; everything it offered is withdrawn. */
  down: { reason: DriverDownReason; code: number | null; signal: string | null; detail?: string }
  /** A restart is scheduled after `delayMs`. */
  restart: { delayMs: number; failures: number }
  /** A line was rejected. */
  garbage: { reason: string; excerpt: string }
  /** A pushed sample arrived. */
  sample: Reading
  /** The driver replaced its capabilities. */
  capabilities: Capabilities
  /** A reply came for a request that had already timed out or been cancelled, or never existed. */
  'late-reply': { id: number; known: boolean }
}

export type DriverEventName = keyof DriverEvents

/** A `Source` backed by an external process speaking docs/DRIVERS.md. */
export interface DriverSource extends Source {
  readonly status: DriverStatus
  /** The running process's pid, if any. */
  readonly pid: number | undefined
  /** Subscribe to lifecycle events; returns the unsubscribe function. */
  on<E extends DriverEventName>(event: E, fn: (data: DriverEvents[E]) => void): () => void
}
