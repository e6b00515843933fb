import {
  defaultCaptureWidth,
  defaultJpegQuality,
  defaultMaxSamples,
  defaultRateHz,
  defaultStreamDurationMs,
  maxCaptureWidth,
  maxRateHz,
  maxStreamDurationMs,
  maxStreamSamples,
  minCaptureWidth,
  minRateHz
} from './constants'
import { InvalidSensorArgsError } from './errors'

/** `camera.capture` arguments, defaults filled in. */
export interface CaptureArgs {
  width: number
  quality: number
}

/** `sensor.read` arguments. */
export interface ReadArgs {
  sensor: string
}

/** `sensor.stream` arguments, defaults filled in and the rate clamped. */
export interface StreamArgs {
  sensor: string
  rateHz: number
  durationMs: number
  maxSamples: number
}

/** A sensor id: `motion`, `motion.rotation`, `network.rtt`. */
const sensorId = /^[a-z][a-zA-Z0-9]*(?:\.[a-z][a-zA-Z0-9]*)*$/

/** `null` and `undefined` read as no arguments; anything else must be a plain object. */
function record(args: unknown, task: string): Record<string, unknown> {
  if (args === null || args === undefined) return {}
  if (typeof args !== 'object' || Array.isArray(args) || args instanceof Uint8Array) {
    throw new InvalidSensorArgsError(`${task} takes an object of arguments`)
  }
  return args as Record<string, unknown>
}

function unknownKeys(o: Record<string, unknown>, allowed: readonly string[], task: string): void {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k))
  if (extra.length > 0) throw new InvalidSensorArgsError(`${task} does not take ${extra.join(', ')}`)
}

function optionalNumber(
  o: Record<string, unknown>,
  key: string,
  task: string,
  range: { min: number; max: number; integer?: boolean }
): number | undefined {
  const v = o[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v) || (range.integer === true && !Number.isInteger(v))) {
    throw new InvalidSensorArgsError(
      `${task}: ${key} must be a ${range.integer === true ? 'whole ' : ''}number`
    )
  }
  if (v < range.min || v > range.max) {
    throw new InvalidSensorArgsError(`${task}: ${key} must be from ${range.min} to ${range.max}`)
  }
  return v
}

function sensorArg(o: Record<string, unknown>, task: string): string {
  const s = o.sensor
  if (typeof s !== 'string' || s.length > 64 || !sensorId.test(s)) {
    throw new InvalidSensorArgsError(`${task} takes { sensor }, a sensor id such as "motion"`)
  }
  return s
}

/** `{ width?, quality? }`: width in pixels, quality from 0 to 1 (JPEG). */
export function parseCaptureArgs(args: unknown): CaptureArgs {
  const o = record(args, 'camera.capture')
  unknownKeys(o, ['width', 'quality'], 'camera.capture')
  const width = optionalNumber(o, 'width', 'camera.capture', {
    min: minCaptureWidth,
    max: maxCaptureWidth,
    integer: true
  })
  const quality = optionalNumber(o, 'quality', 'camera.capture', { min: 0, max: 1 })
  return { width: width ?? defaultCaptureWidth, quality: quality ?? defaultJpegQuality }
}

/** `{ sensor }`. */
export function parseReadArgs(args: unknown): ReadArgs {
  const o = record(args, 'sensor.read')
  unknownKeys(o, ['sensor'], 'sensor.read')
  return { sensor: sensorArg(o, 'sensor.read') }
}

/** Clamps a requested rate into what a stream may run at: `minRateHz`..`maxRateHz`. */
export function clampRateHz(rateHz: number): number {
  return Math.min(maxRateHz, Math.max(minRateHz, rateHz))
}

/**
 * `{ sensor, rateHz?, durationMs?, maxSamples? }`. A rate outside `minRateHz`..`maxRateHz`
 * is clamped rather than refused (the caller gets what the sensor can give); durations and
 * sample counts outside their bounds are refused.
 */
export function parseStreamArgs(args: unknown): StreamArgs {
  const o = record(args, 'sensor.stream')
  unknownKeys(o, ['sensor', 'rateHz', 'durationMs', 'maxSamples'], 'sensor.stream')
  const sensor = sensorArg(o, 'sensor.stream')
  const rateHz = optionalNumber(o, 'rateHz', 'sensor.stream', { min: 0, max: Number.MAX_VALUE })
  if (rateHz === 0) throw new InvalidSensorArgsError('sensor.stream: rateHz must be above 0')
  const durationMs = optionalNumber(o, 'durationMs', 'sensor.stream', {
    min: 1,
    max: maxStreamDurationMs,
    integer: true
  })
  const maxSamples = optionalNumber(o, 'maxSamples', 'sensor.stream', {
    min: 1,
    max: maxStreamSamples,
    integer: true
  })
  return {
    sensor,
    rateHz: clampRateHz(rateHz ?? defaultRateHz),
    durationMs: durationMs ?? defaultStreamDurationMs,
    maxSamples: maxSamples ?? defaultMaxSamples
  }
}
