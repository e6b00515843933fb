import type { Capabilities } from 'mesh-core'
import { SensorError } from '../source.ts'
import type { Reading, SensorInfo } from '../source.ts'
import { powerSampleMs } from './constants.ts'
import { idPart, under } from './files.ts'
import type { FileReader } from './files.ts'
import { polledSource, readNumber, reading, unavailable } from './polled.ts'
import type { PolledSource, SourceInit } from './polled.ts'

/** How each numeric attribute of Documentation/ABI/testing/sysfs-class-power becomes a reading. */
const numeric = [
  { file: 'capacity', suffix: 'capacity', kind: 'battery', unit: '%', divisor: 1 },
  { file: 'voltage_now', suffix: 'voltage', kind: 'voltage', unit: 'V', divisor: 1e6 }, // µV
  { file: 'current_now', suffix: 'current', kind: 'current', unit: 'A', divisor: 1e6 }, // µA
  { file: 'power_now', suffix: 'power', kind: 'power', unit: 'W', divisor: 1e6 }, // µW
  { file: 'temp', suffix: 'temperature', kind: 'temperature', unit: '°C', divisor: 10 } // tenths of °C
] as const

/** `type` values the ABI lists (older kernels also name USB charger kinds: `USB_DCP`, `USB_PD`…). */
const supplyTypes = /^(?:Battery|UPS|Mains|USB\w*|Wireless|BrickID)$/
const statuses = new Set(['Unknown', 'Charging', 'Discharging', 'Not charging', 'Full'])

type Attribute =
  | { type: 'number'; path: string; divisor: number }
  | { type: 'status'; path: string }
  | { type: 'online'; path: string }

interface Battery {
  capacity: number
  /** µWh or µAh when known: batteries are averaged weighted by how much they hold. */
  full?: number
  charging: boolean
}

/** A battery's level: `capacity`, else `energy_now / energy_full`, else `charge_now / charge_full`. */
async function level(
  files: FileReader,
  dir: string
): Promise<{ capacity: number; full?: number } | undefined> {
  const capacity = await files.number(under(dir, 'capacity'))
  const energyFull = await files.number(under(dir, 'energy_full'))
  const chargeFull = await files.number(under(dir, 'charge_full'))
  const full = energyFull ?? chargeFull
  const withFull = (c: number) => (full !== undefined && full > 0 ? { capacity: c, full } : { capacity: c })
  if (capacity !== undefined) return withFull(Math.min(100, Math.max(0, capacity)))
  const now = await files.number(under(dir, energyFull !== undefined ? 'energy_now' : 'charge_now'))
  if (now === undefined || full === undefined || full <= 0) return undefined
  return withFull(Math.min(100, Math.max(0, (now / full) * 100)))
}

function batteryCapacity(batteries: Battery[]): number {
  const weighted = batteries.every((b) => b.full !== undefined)
  const weight = (b: Battery) => (weighted ? (b.full ?? 1) : 1)
  const total = batteries.reduce((sum, b) => sum + weight(b), 0)
  return Math.round(batteries.reduce((sum, b) => sum + b.capacity * weight(b), 0) / total)
}

/**
 * `power`: `/sys/class/power_supply/*` (Documentation/ABI/testing/sysfs-class-power).
 *
 * Capabilities, from supplies that power the system (`scope` is not `Device`, so a wireless
 * mouse's battery does not count; `present` is not 0):
 * - `battery`: level in whole % (averaged over batteries, weighted by `energy_full`/`charge_full`);
 * - `charging`: some battery's `status` is `Charging` (present with `battery`);
 * - `mains`: some non-battery supply (Mains, USB, Wireless…) is `online` (present when one exists).
 *
 * Sensors, per supply and only for the attributes it has: `power.<supply>.capacity` (%),
 * `.voltage` (V), `.current` (A), `.power` (W), `.temperature` (°C), `.status` (text such as
 * `Charging`, `Discharging`, `Full`, `Not charging`) and `.online` (boolean).
 */
export function powerSource(init: SourceInit = {}): PolledSource {
  const root = init.root ?? '/'
  const dir = under(root, 'sys/class/power_supply')
  let attributes = new Map<string, Attribute>()
  return polledSource('power', init, powerSampleMs, {
    async scan(files) {
      const next = new Map<string, Attribute>()
      const sensors: SensorInfo[] = []
      const batteries: Battery[] = []
      let externalSupplies = 0
      let externalOnline = false
      for (const name of await files.list(dir)) {
        const supply = under(dir, name)
        const typePath = under(supply, 'type')
        const type = await files.text(typePath)
        if (type === undefined) continue
        if (!supplyTypes.test(type)) {
          files.problem(typePath, 'unknown supply type', { excerpt: type.slice(0, 40) })
          continue
        }
        const base = `power.${idPart(name)}`
        for (const a of numeric) {
          const path = under(supply, a.file)
          if ((await files.number(path)) === undefined) continue
          sensors.push({ id: `${base}.${a.suffix}`, kind: a.kind, unit: a.unit })
          next.set(`${base}.${a.suffix}`, { type: 'number', path, divisor: a.divisor })
        }
        const status = await files.text(under(supply, 'status'))
        if (status !== undefined && !statuses.has(status)) {
          files.problem(under(supply, 'status'), 'unknown status', { excerpt: status.slice(0, 40) })
        } else if (status !== undefined) {
          sensors.push({ id: `${base}.status`, kind: 'status' })
          next.set(`${base}.status`, { type: 'status', path: under(supply, 'status') })
        }
        const online = await files.number(under(supply, 'online'))
        if (online !== undefined) {
          sensors.push({ id: `${base}.online`, kind: 'online' })
          next.set(`${base}.online`, { type: 'online', path: under(supply, 'online') })
        }
        if ((await files.text(under(supply, 'scope'))) === 'Device') continue
        if (type === 'Battery') {
          if ((await files.number(under(supply, 'present'))) === 0) continue
          const l = await level(files, supply)
          if (l !== undefined) batteries.push({ ...l, charging: status === 'Charging' })
        } else {
          externalSupplies++
          if (online !== undefined && online > 0) externalOnline = true
        }
      }
      attributes = next
      const caps: Capabilities = {}
      if (batteries.length > 0) {
        caps.battery = batteryCapacity(batteries)
        caps.charging = batteries.some((b) => b.charging)
      }
      if (externalSupplies > 0) caps.mains = externalOnline
      return { capabilities: caps, sensors }
    },
    async read(sensor, files, signal): Promise<Reading> {
      const attr = attributes.get(sensor.id)
      if (attr === undefined) throw new SensorError(`power: no sensor "${sensor.id}"`, 'NOT_FOUND')
      switch (attr.type) {
        case 'number':
          return reading(
            sensor,
            (await readNumber(files, 'power', sensor.id, attr.path, signal)) / attr.divisor
          )
        case 'online':
          return reading(sensor, (await readNumber(files, 'power', sensor.id, attr.path, signal)) > 0)
        case 'status': {
          const text = await files.text(attr.path, signal)
          if (text === undefined) throw unavailable('power', sensor.id, attr.path)
          return reading(sensor, text)
        }
      }
    }
  })
}
