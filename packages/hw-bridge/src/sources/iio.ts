import type { Capabilities } from 'mesh-core'
import { SensorError } from '../source.ts'
import type { SensorInfo } from '../source.ts'
import { iioSampleMs } from './constants.ts'
import { under } from './files.ts'
import type { FileReader, FileResult } from './files.ts'
import { applyScale, channelsOf, iioTypes, infoFiles, planSensors, toReadingUnit } from './iio-channels.ts'
import type { IioChannel, IioSensorPlan } from './iio-channels.ts'
import { polledSource, reading } from './polled.ts'
import type { PolledSource, SourceInit } from './polled.ts'

/** Why a channel has no value: its files are gone or unreadable, or hold garbage. */
type Failure = 'UNAVAILABLE' | 'BAD_VALUE'

function toNumber(files: FileReader, path: string, result: FileResult): number | Failure {
  if (result.state !== 'ok') return 'UNAVAILABLE'
  return files.numberIn(path, result.text) ?? 'BAD_VALUE'
}

async function numberAt(files: FileReader, path: string, signal?: AbortSignal): Promise<number | Failure> {
  return toNumber(files, path, await files.attempt(path, signal))
}

/** The first of `names` that exists in `dir`: its number, or the failure; `fallback` when none exists. */
async function firstOf(
  files: FileReader,
  dir: string,
  names: string[],
  fallback: number,
  signal?: AbortSignal
): Promise<number | Failure> {
  for (const name of names) {
    const path = under(dir, name)
    const result = await files.attempt(path, signal)
    if (result.state !== 'absent') return toNumber(files, path, result)
  }
  return fallback
}

/** One channel's value in reading units, applying scale and offset to a `_raw` value. */
export async function readChannel(
  files: FileReader,
  dir: string,
  channel: IioChannel,
  signal?: AbortSignal
): Promise<number | Failure> {
  if (channel.processed) {
    const value = await numberAt(files, under(dir, `${channel.prefix}_input`), signal)
    return typeof value === 'number' ? toReadingUnit(channel.type, value) : value
  }
  const raw = await numberAt(files, under(dir, `${channel.prefix}_raw`), signal)
  if (typeof raw !== 'number') return raw
  const scale = await firstOf(files, dir, infoFiles(channel, 'scale'), 1, signal)
  if (typeof scale !== 'number') return scale
  const offset = await firstOf(files, dir, infoFiles(channel, 'offset'), 0, signal)
  if (typeof offset !== 'number') return offset
  return toReadingUnit(channel.type, applyScale(raw, offset, scale))
}

async function readPlan(
  files: FileReader,
  dir: string,
  plan: IioSensorPlan,
  signal?: AbortSignal
): Promise<number | number[] | Failure> {
  const values: number[] = []
  for (const channel of plan.channels) {
    const value = await readChannel(files, dir, channel, signal)
    if (typeof value !== 'number') return value
    values.push(value)
  }
  return plan.vector ? values : (values[0] ?? 'UNAVAILABLE')
}

interface Located {
  dir: string
  plan: IioSensorPlan
}

/**
 * `iio`: Industrial I/O sensors, `/sys/bus/iio/devices/iio:device*` (sysfs-bus-iio): an
 * accelerometer, a gyroscope, a BME280's temperature, humidity and pressure, a light sensor.
 * Values follow the ABI (see iio-channels.ts) and are read fresh on every `read`.
 *
 * Capabilities (each `true` when at least one such sensor reads): `accelerometer`,
 * `gyroscope`, `magnetometer`, `illuminance`, `temperature`, `humidity`, `pressure`.
 * Sensors: `iio.<kind>.<n>`, numbered per kind in device then channel order, with kinds and
 * units `accel` ([x, y, z] m/s²), `gyro` ([x, y, z] rad/s), `magn` ([x, y, z] G),
 * `illuminance` (lx), `intensity` (no unit), `temperature` (°C), `humidity` (%), `pressure` (kPa).
 * A channel whose files are unreadable or hold garbage is logged once and left out.
 */
export function iioSource(init: SourceInit = {}): PolledSource {
  const devices = under(init.root ?? '/', 'sys/bus/iio/devices')
  let located = new Map<string, Located>()
  return polledSource('iio', init, iioSampleMs, {
    async scan(files) {
      const next = new Map<string, Located>()
      const counts = new Map<string, number>()
      const sensors: SensorInfo[] = []
      const caps: Capabilities = {}
      for (const device of await files.list(devices)) {
        if (!/^iio:device\d+$/.test(device)) continue
        const dir = under(devices, device)
        for (const plan of planSensors(channelsOf(await files.list(dir)))) {
          if (typeof (await readPlan(files, dir, plan)) === 'string') continue
          const { kind, unit, capability } = iioTypes[plan.type]
          const n = counts.get(kind) ?? 0
          counts.set(kind, n + 1)
          const id = `iio.${kind}.${n}`
          sensors.push(unit === undefined ? { id, kind } : { id, kind, unit })
          next.set(id, { dir, plan })
          if (capability !== undefined) caps[capability] = true
        }
      }
      located = next
      return { capabilities: caps, sensors }
    },
    async read(sensor, files, signal) {
      const where = located.get(sensor.id)
      if (where === undefined) throw new SensorError(`iio: no sensor "${sensor.id}"`, 'NOT_FOUND')
      const value = await readPlan(files, where.dir, where.plan, signal)
      if (typeof value === 'string') throw new SensorError(`iio: cannot read ${sensor.id} (${value})`, value)
      return reading(sensor, value)
    }
  })
}
