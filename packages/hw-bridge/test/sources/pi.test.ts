import { capabilitiesProblem } from 'mesh-core'
import { describe, expect, it } from 'vitest'
import { createSources } from '../../src/sources/index.ts'
import type { Reading, Source } from '../../src/source.ts'
import { FakeTree, recordingLog } from '../fixtures/fake-tree.ts'
import { piTree } from '../fixtures/pi.ts'

async function startAll(sources: Source[]): Promise<void> {
  for (const s of sources) await s.start(() => {})
}

function readingOf(sources: Source[], id: string): Promise<Reading> {
  const source = sources.find((s) => s.sensors().some((x) => x.id === id))
  if (source === undefined) throw new Error(`no source lists ${id}`)
  return source.read(id)
}

describe('built-in sources on a Raspberry Pi tree', () => {
  it('advertise what the board has', async () => {
    await using tree = await FakeTree.create(piTree)
    const { log, entries } = recordingLog()
    const sources = createSources({}, { root: tree.root, log })
    await startAll(sources)
    const caps = Object.assign({}, ...sources.map((s) => s.capabilities())) as Record<string, unknown>
    expect(caps).toMatchObject({
      cpu: 4,
      cpuModel: 'ARM Cortex-A72',
      boardModel: 'Raspberry Pi 4 Model B Rev 1.4',
      load1: 0.4,
      memoryMb: 3793,
      gpu: 1,
      gpuKinds: ['dri'],
      battery: 87,
      charging: false,
      mains: false,
      thermal: ['cpu-thermal'],
      accelerometer: true,
      gyroscope: true,
      temperature: true,
      humidity: true,
      pressure: true,
      camera: 1,
      cameras: ['video0'],
      serial: ['serial0', 'ttyAMA0', 'ttyUSB0']
    })
    expect(caps.storageMb).toEqual(expect.any(Number))
    expect(caps).not.toHaveProperty('illuminance')
    expect(capabilitiesProblem(caps)).toBeUndefined()
    expect(entries).toEqual([])
    for (const s of sources) await s.stop()
  })

  it('list sensors with kinds and units, and read them in SI-ish units', async () => {
    await using tree = await FakeTree.create(piTree)
    const sources = createSources({}, { root: tree.root })
    await startAll(sources)
    const ids = sources.flatMap((s) => s.sensors().map((x) => x.id))
    expect(new Set(ids).size).toBe(ids.length)
    expect(sources.flatMap((s) => s.sensors())).toEqual(
      expect.arrayContaining([
        { id: 'cpu.load', kind: 'load' },
        { id: 'memory.available', kind: 'memory', unit: 'MB' },
        { id: 'thermal.cpu-thermal', kind: 'temperature', unit: '°C' },
        { id: 'iio.temperature.0', kind: 'temperature', unit: '°C' },
        { id: 'iio.humidity.0', kind: 'humidity', unit: '%' },
        { id: 'iio.pressure.0', kind: 'pressure', unit: 'kPa' },
        { id: 'iio.accel.0', kind: 'accel', unit: 'm/s²' },
        { id: 'iio.gyro.0', kind: 'gyro', unit: 'rad/s' },
        { id: 'iio.temperature.1', kind: 'temperature', unit: '°C' },
        { id: 'power.battery.capacity', kind: 'battery', unit: '%' },
        { id: 'power.ac.online', kind: 'online' }
      ])
    )
    const value = async (id: string) => (await readingOf(sources, id)).value
    expect(await value('cpu.load')).toBe(0.42)
    expect(await value('memory.available')).toBe(3234)
    expect(await value('thermal.cpu-thermal')).toBeCloseTo(48.686, 9)
    expect(await value('iio.temperature.0')).toBeCloseTo(25.73, 9)
    expect(await value('iio.humidity.0')).toBeCloseTo(48.56, 9)
    expect(await value('iio.pressure.0')).toBeCloseTo(100.837890625, 9)
    // MPU-6050 temperature: (raw + offset) * scale in m°C.
    expect(await value('iio.temperature.1')).toBeCloseTo(((-1000 + 12420) * 2.941176) / 1000, 9)
    const accel = (await value('iio.accel.0')) as number[]
    expect(accel).toHaveLength(3)
    ;[-120, 260, 16390].forEach((raw, i) => expect(accel[i]).toBeCloseTo(raw * 0.000598, 9))
    const gyro = (await value('iio.gyro.0')) as number[]
    ;[15, -7, 2].forEach((raw, i) => expect(gyro[i]).toBeCloseTo(raw * 0.001064724, 9))
    expect(await value('power.battery.capacity')).toBe(87)
    expect(await value('power.battery.voltage')).toBeCloseTo(3.987, 9)
    expect(await value('power.battery.current')).toBeCloseTo(-0.512, 9)
    expect(await value('power.battery.power')).toBeCloseTo(2.041344, 9)
    expect(await value('power.battery.temperature')).toBeCloseTo(28.3, 9)
    expect(await value('power.battery.status')).toBe('Discharging')
    expect(await value('power.ac.online')).toBe(false)
    const r = await readingOf(sources, 'iio.pressure.0')
    expect(r).toMatchObject({ sensor: 'iio.pressure.0', unit: 'kPa', at: expect.any(Number) })
  })

  it('builds only the enabled sources, with their rates', async () => {
    await using tree = await FakeTree.create(piTree)
    const sources = createSources(
      { sources: { thermal: { enabled: false, sampleMs: 1_000 }, iio: { enabled: true, sampleMs: 250 } } },
      { root: tree.root }
    )
    expect(sources.map((s) => s.name)).toEqual([
      'cpu',
      'memory',
      'storage',
      'gpu',
      'power',
      'iio',
      'camera',
      'serial'
    ])
  })
})
