import type { Capabilities } from 'mesh-core'

/**
 * The contract between the bridge and what it reads: built-in sysfs/procfs sources and
 * external drivers. The bridge merges every source's capabilities into the advertised
 * record, re-advertises when a source says it changed, and serves `sensor.read` /
 * `sensor.stream` from the sensors the sources list.
 */

/** One value read from a sensor, already in SI-ish units (°C, m/s², rad/s, lux, %, kPa). */
export interface Reading {
  /** The sensor's id, as listed by `Source.sensors()`. */
  sensor: string
  value: number | number[] | string | boolean
  unit?: string
  /** `Date.now()` when the value was read. */
  at: number
}

export interface SensorInfo {
  /** Stable id, unique on this device, e.g. `thermal.cpu-thermal`, `iio.accel.0`, `dht22.temperature`. */
  id: string
  /** What it measures: `temperature`, `humidity`, `pressure`, `illuminance`, `accel`, `gyro`, `battery`, ... */
  kind: string
  unit?: string
}

/** Why a sensor could not be read; the bridge turns it into a task error. */
export class SensorError extends Error {
  constructor(
    message: string,
    readonly code: 'NOT_FOUND' | 'UNAVAILABLE' | 'TIMEOUT' | 'BAD_VALUE'
  ) {
    super(message)
    this.name = 'SensorError'
  }
}

export interface SourceLog {
  (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void
}

/** A handler for a mesh task that a source (an external driver) serves. */
export type SourceTask = (args: unknown, signal: AbortSignal) => Promise<unknown>

export interface Source {
  /** Short name used in config (`sources.<name>`), logs and metrics: `cpu`, `iio`, `driver:dht22`. */
  readonly name: string
  /** Begin watching; call `changed()` whenever `capabilities()` or `sensors()` would answer differently. */
  start(changed: () => void): Promise<void>
  stop(): Promise<void>
  /** Capabilities to advertise now. Withdrawn ones simply disappear from the answer. */
  capabilities(): Capabilities
  /** Sensors readable now. */
  sensors(): SensorInfo[]
  /** Read one sensor. Rejects with `SensorError`. */
  read(sensor: string, signal?: AbortSignal): Promise<Reading>
  /** Mesh tasks this source serves now (external drivers); absent or empty for most. */
  tasks?(): Record<string, SourceTask>
}
