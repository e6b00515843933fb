/*
 * IIO channel naming and arithmetic, after Documentation/ABI/testing/sysfs-bus-iio.
 * Attribute names are `in_<type>[<index>][_<modifier>]_<info>`: `in_accel_x_raw`,
 * `in_illuminance0_input`, `in_temp_ambient_raw`. A `_raw` value becomes a measurement as
 * (raw + offset) * scale, where the most specific `_offset`/`_scale` applies: the channel's
 * own (`in_accel_x_scale`), else the one shared by its type (`in_accel_scale`), else the one
 * shared by direction (`in_scale`). An `_input` value is already processed and wins over
 * `_raw`. Either way the result is in the ABI's unit for the type, converted here to the
 * units a `Reading` carries.
 */

/** The channel types this source understands, with the ABI unit → reading unit conversion. */
export const iioTypes = {
  accel: { kind: 'accel', unit: 'm/s²', divisor: 1, capability: 'accelerometer' },
  anglvel: { kind: 'gyro', unit: 'rad/s', divisor: 1, capability: 'gyroscope' },
  magn: { kind: 'magn', unit: 'G', divisor: 1, capability: 'magnetometer' },
  illuminance: { kind: 'illuminance', unit: 'lx', divisor: 1, capability: 'illuminance' },
  // Unit-less light intensity (`in_intensity_both_raw`, `_ir_raw`): readable, not advertised.
  intensity: { kind: 'intensity', unit: undefined, divisor: 1, capability: undefined },
  // Millidegrees Celsius in the ABI.
  temp: { kind: 'temperature', unit: '°C', divisor: 1_000, capability: 'temperature' },
  // Milli percent in the ABI.
  humidityrelative: { kind: 'humidity', unit: '%', divisor: 1_000, capability: 'humidity' },
  pressure: { kind: 'pressure', unit: 'kPa', divisor: 1, capability: 'pressure' }
} as const

export type IioType = keyof typeof iioTypes

/** One measurement channel of a device, named by its attribute prefix (`in_accel_x`). */
export interface IioChannel {
  prefix: string
  type: IioType
  /** The channel index, `''` when unindexed. */
  index: string
  modifier?: string
  /** `true` when `<prefix>_input` exists: read it as is. Otherwise `<prefix>_raw` needs scale and offset. */
  processed: boolean
}

const typeNames = Object.keys(iioTypes).join('|')
const channelFile = new RegExp(`^in_(${typeNames})(\\d*)(?:_([a-z0-9]+(?:_[a-z0-9]+)*?))?_(raw|input)$`)
/** Modifiers naming another kind of value than the instantaneous one. */
const notInstant = /(?:^|_)(?:mean|peak|trough|thresh)$/

/** The channels among a device directory's file names, `_input` preferred over `_raw`. */
export function channelsOf(fileNames: readonly string[]): IioChannel[] {
  const byPrefix = new Map<string, IioChannel>()
  for (const file of fileNames) {
    const m = channelFile.exec(file)
    if (m === null) continue
    const [, type, index = '', modifier, info] = m
    if (modifier !== undefined && notInstant.test(modifier)) continue
    const prefix = file.slice(0, file.length - (info === 'raw' ? 4 : 6))
    const old = byPrefix.get(prefix)
    const channel: IioChannel = { prefix, type: type as IioType, index, processed: info === 'input' }
    if (modifier !== undefined) channel.modifier = modifier
    if (old === undefined || (!old.processed && channel.processed)) byPrefix.set(prefix, channel)
  }
  return [...byPrefix.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0))
}

/** Where a channel's `_scale` (or `_offset`) may live, most specific first. */
export function infoFiles(channel: IioChannel, info: 'scale' | 'offset'): string[] {
  return [`${channel.prefix}_${info}`, `in_${channel.type}_${info}`, `in_${info}`]
}

/** The kernel's rule: (raw + offset) * scale, in the ABI's unit for the channel type. */
export function applyScale(raw: number, offset = 0, scale = 1): number {
  return (raw + offset) * scale
}

/** From the ABI's unit to the reading's (m°C → °C, m% → %), without float noise in the last digits. */
export function toReadingUnit(type: IioType, value: number): number {
  return Number((value / iioTypes[type].divisor).toPrecision(12))
}

const axes = ['x', 'y', 'z']

/** A sensor made of one channel, or of the x/y/z channels of a vector type (accel, gyro, magn). */
export interface IioSensorPlan {
  type: IioType
  channels: IioChannel[]
  vector: boolean
}

/** Groups a device's channels into sensors: x, y and z of one type and index make one `[x, y, z]` sensor. */
export function planSensors(channels: readonly IioChannel[]): IioSensorPlan[] {
  const plans: IioSensorPlan[] = []
  const vectors = new Map<string, IioSensorPlan>()
  for (const channel of channels) {
    if (channel.modifier !== undefined && axes.includes(channel.modifier)) {
      const key = `${channel.type}${channel.index}`
      let plan = vectors.get(key)
      if (plan === undefined) {
        plan = { type: channel.type, channels: [], vector: true }
        vectors.set(key, plan)
        plans.push(plan)
      }
      plan.channels.push(channel)
    } else {
      plans.push({ type: channel.type, channels: [channel], vector: false })
    }
  }
  for (const plan of vectors.values()) {
    plan.channels.sort((a, b) => axes.indexOf(a.modifier ?? '') - axes.indexOf(b.modifier ?? ''))
  }
  return plans
}
