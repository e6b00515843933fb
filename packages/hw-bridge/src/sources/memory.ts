import { freemem, totalmem } from 'node:os'
import type { SensorInfo } from '../source.ts'
import { bytesPerMb, memorySampleMs } from './constants.ts'
import { parseNumber, under } from './files.ts'
import type { FileReader } from './files.ts'
import { polledSource, reading, unavailable } from './polled.ts'
import type { PolledSource, SourceInit } from './polled.ts'

/** Total and available memory in MB. */
export interface MemInfo {
  totalMb: number
  availableMb: number
}

const kbPerMb = 1_024

/**
 * Parses `/proc/meminfo` (proc(5): `MemTotal:  3884464 kB`). `MemAvailable` exists since
 * Linux 3.14; before that, free + buffers + page cache is the usual estimate.
 */
export function parseMeminfo(text: string): MemInfo | undefined {
  const kb = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\S+)(?:\s+kB)?\s*$/.exec(line.trim())
    const value = m?.[2] === undefined ? undefined : parseNumber(m[2])
    if (m?.[1] !== undefined && value !== undefined && value >= 0) kb.set(m[1], value)
  }
  const total = kb.get('MemTotal')
  if (total === undefined || total <= 0) return undefined
  const free = kb.get('MemFree')
  const available =
    kb.get('MemAvailable') ??
    (free === undefined ? undefined : free + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0))
  return {
    totalMb: Math.round(total / kbPerMb),
    availableMb: Math.round(Math.min(available ?? 0, total) / kbPerMb)
  }
}

const availableSensor: SensorInfo = { id: 'memory.available', kind: 'memory', unit: 'MB' }

async function readMeminfo(files: FileReader, path: string): Promise<MemInfo | undefined> {
  const text = await files.text(path)
  if (text === undefined) {
    if (await files.exists(path)) return undefined
    return { totalMb: Math.round(totalmem() / bytesPerMb), availableMb: Math.round(freemem() / bytesPerMb) }
  }
  const info = parseMeminfo(text)
  if (info === undefined) files.problem(path, 'no MemTotal line')
  else files.fixed(path, 'no MemTotal line')
  return info
}

/**
 * `memory`: `/proc/meminfo`, or `node:os` when the file is absent.
 *
 * Capability: `memoryMb` (total). Sensor: `memory.available` in MB (`MemAvailable`).
 */
export function memorySource(init: SourceInit = {}): PolledSource {
  const path = under(init.root ?? '/', 'proc/meminfo')
  return polledSource('memory', init, memorySampleMs, {
    async scan(files) {
      const info = await readMeminfo(files, path)
      if (info === undefined) return { capabilities: {}, sensors: [] }
      return { capabilities: { memoryMb: info.totalMb }, sensors: [availableSensor] }
    },
    async read(sensor, files) {
      const info = await readMeminfo(files, path)
      if (info === undefined) throw unavailable('memory', sensor.id, path)
      return reading(sensor, info.availableMb)
    }
  })
}
