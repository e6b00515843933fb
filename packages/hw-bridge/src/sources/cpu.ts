import { cpus, loadavg } from 'node:os'
import type { Capabilities } from 'mesh-core'
import type { SensorInfo } from '../source.ts'
import { cpuSampleMs, loadStep, maxStringLength } from './constants.ts'
import { parseNumber, under } from './files.ts'
import type { FileReader } from './files.ts'
import { polledSource, reading, unavailable } from './polled.ts'
import type { PolledSource, SourceInit } from './polled.ts'

/** ARM `CPU part` ids (implementer 0x41) for boards whose cpuinfo has no `model name`, e.g. a 64-bit Raspberry Pi. */
const armParts: Record<string, string> = {
  '0xb76': 'ARM1176',
  '0xc07': 'Cortex-A7',
  '0xc08': 'Cortex-A8',
  '0xc09': 'Cortex-A9',
  '0xc0f': 'Cortex-A15',
  '0xd03': 'Cortex-A53',
  '0xd04': 'Cortex-A35',
  '0xd05': 'Cortex-A55',
  '0xd07': 'Cortex-A57',
  '0xd08': 'Cortex-A72',
  '0xd09': 'Cortex-A73',
  '0xd0a': 'Cortex-A75',
  '0xd0b': 'Cortex-A76',
  '0xd0c': 'Neoverse-N1',
  '0xd0d': 'Cortex-A77',
  '0xd41': 'Cortex-A78',
  '0xd46': 'Cortex-A510',
  '0xd47': 'Cortex-A710'
}

/** What `/proc/cpuinfo` says, per proc(5): one `processor` block per logical CPU, `key : value` lines. */
export interface CpuInfo {
  cores: number
  model?: string
  /** The board, from the `Model` line a Raspberry Pi kernel appends. */
  board?: string
}

function field(text: string, key: string): string | undefined {
  const m = new RegExp(`^${key}\\s*:[ \\t]*(.*)$`, 'im').exec(text)
  const v = m?.[1]?.trim()
  return v === undefined || v.length === 0 ? undefined : v.slice(0, maxStringLength)
}

/** Parses `/proc/cpuinfo`; `undefined` when it lists no processor. */
export function parseCpuinfo(text: string): CpuInfo | undefined {
  // x86 and ARM write `processor : 0`; s390 writes `processor 0: ...`.
  const cores = text.match(/^processor\s*\d*\s*:/gm)?.length ?? 0
  if (cores === 0) return undefined
  const implementer = field(text, 'CPU implementer')
  const part = field(text, 'CPU part')?.toLowerCase()
  const arm = implementer === '0x41' && part !== undefined ? armParts[part] : undefined
  const model =
    field(text, 'model name') ?? field(text, 'cpu model') ?? (arm === undefined ? undefined : `ARM ${arm}`)
  const board = field(text, 'Model')
  const info: CpuInfo = { cores }
  if (model !== undefined) info.model = model
  if (board !== undefined && board !== model) info.board = board
  return info
}

/** Parses `/proc/loadavg` (`0.20 0.18 0.12 1/80 11206`) into the 1, 5 and 15 minute averages. */
export function parseLoadavg(text: string): [number, number, number] | undefined {
  const [a, b, c] = text.trim().split(/\s+/, 3).map(parseNumber)
  if (a === undefined || b === undefined || c === undefined || a < 0 || b < 0 || c < 0) return undefined
  return [a, b, c]
}

const loadSensor: SensorInfo = { id: 'cpu.load', kind: 'load' }

async function readLoad(files: FileReader, path: string): Promise<number[] | undefined> {
  const text = await files.text(path)
  // Only a missing file falls back to the process's view; a broken one is a problem to report.
  if (text === undefined) return (await files.exists(path)) ? undefined : loadavg()
  const load = parseLoadavg(text)
  if (load === undefined) files.problem(path, 'not a load average', { excerpt: text.slice(0, 40) })
  else files.fixed(path, 'not a load average')
  return load
}

/**
 * `cpu`: cores, model and load from `/proc/cpuinfo` and `/proc/loadavg`, falling back to
 * `node:os` only when those files are absent.
 *
 * Capabilities: `cpu` (logical cores), `cpuModel`, `boardModel` (Raspberry Pi), `load1`
 * (rounded to 0.1). Sensor: `cpu.load`, the 1-minute load average, unrounded.
 */
export function cpuSource(init: SourceInit = {}): PolledSource {
  const root = init.root ?? '/'
  const cpuinfoPath = under(root, 'proc/cpuinfo')
  const loadavgPath = under(root, 'proc/loadavg')
  return polledSource('cpu', init, cpuSampleMs, {
    async scan(files) {
      const caps: Capabilities = {}
      const text = await files.text(cpuinfoPath)
      if (text !== undefined) {
        const info = parseCpuinfo(text)
        if (info === undefined) files.problem(cpuinfoPath, 'no processor entries')
        else files.fixed(cpuinfoPath, 'no processor entries')
        if (info !== undefined) caps.cpu = info.cores
        if (info?.model !== undefined) caps.cpuModel = info.model
        if (info?.board !== undefined) caps.boardModel = info.board
      } else if (!(await files.exists(cpuinfoPath))) {
        const list = cpus()
        if (list.length > 0) caps.cpu = list.length
        const model = list[0]?.model.trim()
        if (model !== undefined && model.length > 0) caps.cpuModel = model.slice(0, maxStringLength)
      }
      const load = await readLoad(files, loadavgPath)
      const load1 = load?.[0]
      if (load1 !== undefined) caps.load1 = Math.round(load1 / loadStep) / Math.round(1 / loadStep)
      return { capabilities: caps, sensors: load1 === undefined ? [] : [loadSensor] }
    },
    async read(sensor, files) {
      const load1 = (await readLoad(files, loadavgPath))?.[0]
      if (load1 === undefined) throw unavailable('cpu', sensor.id, loadavgPath)
      return reading(sensor, load1)
    }
  })
}
