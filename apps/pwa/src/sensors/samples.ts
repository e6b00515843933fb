import { BadSensorReplyError } from './errors'
import type { CapturedImage, Sample } from './types'

/** Digits kept after the point: more is noise for phone sensors, and costs bytes per sample. */
const decimals = 4
const scale = 10 ** decimals

export function round(v: number): number {
  return Math.round(v * scale) / scale
}

/** A reading in the bridge's shape; numbers rounded, `unit` left out when there is none. */
export function sample(sensor: string, value: Sample['value'], unit: string | undefined, at: number): Sample {
  const v = typeof value === 'number' ? round(value) : Array.isArray(value) ? value.map(round) : value
  return unit === undefined ? { sensor, value: v, at } : { sensor, value: v, unit, at }
}

/** Three axes, or undefined when the platform left one out (`null` in DeviceMotionEvent). */
export function xyz(
  x: number | null | undefined,
  y: number | null | undefined,
  z: number | null | undefined
): [number, number, number] | undefined {
  if (typeof x !== 'number' || typeof y !== 'number' || typeof z !== 'number') return undefined
  if (![x, y, z].every(Number.isFinite)) return undefined
  return [x, y, z]
}

const degPerRad = 180 / Math.PI

/** deg/s (DeviceMotionEvent.rotationRate) to rad/s (Gyroscope, and the bridge's unit). */
export function degToRad(v: number): number {
  return v / degPerRad
}

/**
 * A unit quaternion `[x, y, z, w]` (AbsoluteOrientationSensor) as the `deviceorientation`
 * angles `[alpha, beta, gamma]` in degrees (intrinsic Z-X'-Y''), so both APIs give one
 * shape: alpha in [0, 360), beta in [-180, 180), gamma in [-90, 90) as the spec has them.
 */
export function quaternionToEuler(q: readonly number[]): [number, number, number] {
  const [x = 0, y = 0, z = 0, w = 1] = q
  // The rotation matrix entries the decomposition needs (row, column).
  const m01 = 2 * (x * y - z * w)
  const m11 = 1 - 2 * (x * x + z * z)
  const m20 = 2 * (x * z - y * w)
  const m21 = 2 * (y * z + x * w)
  const m22 = 1 - 2 * (x * x + y * y)
  let beta = Math.asin(Math.max(-1, Math.min(1, m21))) * degPerRad
  let alpha = Math.atan2(-m01, m11) * degPerRad
  let gamma = Math.atan2(-m20, m22) * degPerRad
  // The same rotation with gamma in [-90, 90): turn alpha half round and mirror beta.
  if (gamma < -90 || gamma >= 90) {
    alpha += 180
    beta = (beta >= 0 ? 180 : -180) - beta
    gamma += gamma >= 90 ? -180 : 180
  }
  if (beta >= 180) beta -= 360
  return [((alpha % 360) + 360) % 360, beta, gamma]
}

function isValue(v: unknown): v is Sample['value'] {
  if (typeof v === 'number') return Number.isFinite(v)
  if (typeof v === 'string') return v.length <= 256
  if (typeof v === 'boolean') return true
  return Array.isArray(v) && v.length <= 16 && v.every((n) => typeof n === 'number' && Number.isFinite(n))
}

/** Checks one streamed chunk or `sensor.read` answer from another peer. */
export function parseSample(chunk: unknown): Sample {
  if (typeof chunk !== 'object' || chunk === null) throw new BadSensorReplyError('a sample is an object')
  const c = chunk as Record<string, unknown>
  if (typeof c.sensor !== 'string' || c.sensor.length > 64) throw new BadSensorReplyError('sample.sensor')
  if (!isValue(c.value)) throw new BadSensorReplyError('sample.value')
  if (typeof c.at !== 'number' || !Number.isFinite(c.at)) throw new BadSensorReplyError('sample.at')
  if (c.unit !== undefined && typeof c.unit !== 'string') throw new BadSensorReplyError('sample.unit')
  return sample(c.sensor, c.value, c.unit, c.at)
}

/** The first bytes of every JPEG file (SOI marker, then the first marker's 0xFF). */
export const jpegMagic = [0xff, 0xd8, 0xff] as const

export function isJpeg(data: Uint8Array): boolean {
  return jpegMagic.every((b, i) => data[i] === b)
}

/** Checks a `camera.capture` answer from another peer, bounded by `maxBytes`. */
export function parseCapture(reply: unknown, maxBytes: number): CapturedImage {
  if (typeof reply !== 'object' || reply === null) throw new BadSensorReplyError('a capture is an object')
  const r = reply as Record<string, unknown>
  if (r.mime !== 'image/jpeg') throw new BadSensorReplyError('capture.mime is not image/jpeg')
  const dim = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 8_192
  if (!dim(r.width) || !dim(r.height)) throw new BadSensorReplyError('capture.width and height')
  if (!(r.data instanceof Uint8Array) || r.data.byteLength > maxBytes || !isJpeg(r.data)) {
    throw new BadSensorReplyError('capture.data is not a JPEG within the size limit')
  }
  return { mime: 'image/jpeg', width: r.width, height: r.height, data: r.data }
}
