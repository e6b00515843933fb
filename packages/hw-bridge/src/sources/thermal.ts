import type { SensorInfo } from '../source.ts'
import { maxListLength, thermalSampleMs } from './constants.ts'
import { idPart, under } from './files.ts'
import { polledSource, readNumber, reading } from './polled.ts'
import type { PolledSource, SourceInit } from './polled.ts'

/** `temp` is in millidegrees Celsius (Documentation/ABI/testing/sysfs-class-thermal). */
const milli = 1_000

interface Zone {
  sensor: SensorInfo
  path: string
}

/**
 * `thermal`: `/sys/class/thermal/thermal_zone*`, each with a `type` (`cpu-thermal`,
 * `x86_pkg_temp`, `acpitz`) and a `temp` in millidegrees Celsius. A zone whose `temp` cannot
 * be read (EIO and ENODATA are common for disabled or sleeping sensors) or holds garbage is
 * logged once and left out until it reads again.
 *
 * Capability: `thermal`, the zone types (e.g. `["cpu-thermal"]`). Not `temperature`: that
 * one means an ambient sensor (see `iio`), and a CPU zone is not one.
 * Sensors: `thermal.<type>` in °C; a repeated type gets `.1`, `.2`… in zone order.
 */
export function thermalSource(init: SourceInit = {}): PolledSource {
  const root = init.root ?? '/'
  const dir = under(root, 'sys/class/thermal')
  let zones = new Map<string, Zone>()
  return polledSource('thermal', init, thermalSampleMs, {
    async scan(files) {
      const next = new Map<string, Zone>()
      const seen = new Map<string, number>()
      const types: string[] = []
      for (const entry of await files.list(dir)) {
        if (!/^thermal_zone\d+$/.test(entry)) continue
        const type = (await files.text(under(dir, entry, 'type'))) ?? entry
        const path = under(dir, entry, 'temp')
        if ((await files.number(path)) === undefined) continue
        const base = idPart(type)
        const n = seen.get(base) ?? 0
        seen.set(base, n + 1)
        const id = n === 0 ? `thermal.${base}` : `thermal.${base}.${n}`
        next.set(id, { sensor: { id, kind: 'temperature', unit: '°C' }, path })
        if (!types.includes(base)) types.push(base)
      }
      zones = next
      const sensors = [...next.values()].map((z) => z.sensor)
      return { capabilities: types.length > 0 ? { thermal: types.slice(0, maxListLength) } : {}, sensors }
    },
    async read(sensor, files, signal) {
      const zone = zones.get(sensor.id)
      const path = zone?.path ?? under(dir, 'missing')
      return reading(sensor, (await readNumber(files, 'thermal', sensor.id, path, signal)) / milli)
    }
  })
}
