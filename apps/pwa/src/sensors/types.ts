import type { CapabilityValue } from 'mesh-core'

/** The phone's own sensors, one module each under `sources/`. Also the capability key of each. */
export const sensorNames = [
  'camera',
  'microphone',
  'motion',
  'orientation',
  'geolocation',
  'battery',
  'network',
  'wakeLock'
] as const

export type SensorName = (typeof sensorNames)[number]

/**
 * One reading, in the shape mesh-bridge's sources use (`Reading` in hw-bridge):
 * `sensor` is a readable id (`motion`, `motion.rotation`, …), `at` is `Date.now()`.
 */
export interface Sample {
  sensor: string
  value: number | number[] | string | boolean
  unit?: string
  at: number
}

/** A permission as the Permissions API reports it, or `unsupported` where it has none to ask. */
export type PermissionState = 'granted' | 'denied' | 'prompt' | 'unsupported'

/** The least of a `PermissionStatus` the sensors use: tests pass fakes. */
export interface PermissionStatusLike extends EventTarget {
  readonly state: string
}

/** What one sensor module can do; every source under `sources/` is one. */
export interface SensorSource {
  readonly name: SensorName
  /** The Permissions API name to watch, or undefined when the API needs no permission. */
  readonly permission: string | undefined
  /** Whether this browser has the API at all. */
  available(): boolean
  /**
   * Asks for permission and starts. The permission request is made before the first
   * `await`, so calling this from a click keeps the user gesture (iOS motion needs it).
   */
  start(): Promise<void>
  stop(): void
  /** The latest reading of `sensor` (one of `readable()`), if any yet. */
  read(sensor: string): Sample | undefined
  /** Every new reading while started. */
  subscribe(fn: (sample: Sample) => void): () => void
  /** The sensor ids `sensor.read` and `sensor.stream` serve while it runs. */
  readable(): string[]
  /** The value of its capability while it runs (`camera: true`, `battery: 87`, …). */
  capability(): CapabilityValue
  /** Called when the capability value changes on its own (battery level, network type). */
  onChange(fn: () => void): () => void
  /** Called when it stops on its own: a track ended, the sensor errored, a lock was released. */
  onFailure(fn: (reason: string) => void): () => void
}

/** What a source holding a camera stream can also do: `camera.capture`. */
export interface FrameSource {
  /** Draws the current frame at most `width` pixels wide and encodes it as JPEG. */
  capture(o: { width: number; quality: number; maxBytes: number }): Promise<CapturedImage>
}

export interface CapturedImage {
  mime: 'image/jpeg'
  width: number
  height: number
  data: Uint8Array
}
