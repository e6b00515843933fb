import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyScale, channelsOf, iioSource } from '../../src/sources/index.ts'
import { FakeTree, dir, recordingLog } from '../fixtures/fake-tree.ts'
import type { Entry } from '../fixtures/fake-tree.ts'

const dev = (n: number, files: Record<string, string | Entry>): Record<string, Entry> =>
  Object.fromEntries(Object.entries(files).map(([k, v]) => [`sys/bus/iio/devices/iio:device${n}/${k}`, v]))

async function scanned(entries: Record<string, Entry>) {
  const tree = await FakeTree.create(entries)
  const { log, entries: logged } = recordingLog()
  const source = iioSource({ root: tree.root, log })
  await source.poll()
  return { tree, source, logged, [Symbol.asyncDispose]: () => tree[Symbol.asyncDispose]() }
}

describe('iio: channel names (sysfs-bus-iio)', () => {
  it('finds raw and processed channels, indexed and modified, and prefers _input', () => {
    const channels = channelsOf([
      'name',
      'in_accel_x_raw',
      'in_accel_scale',
      'in_illuminance0_input',
      'in_illuminance0_raw',
      'in_temp_ambient_raw',
      'in_intensity_both_raw',
      'in_accel_x_mean_raw',
      'in_voltage0-voltage1_raw',
      'in_rot_from_north_magnetic_raw',
      'out_voltage0_raw'
    ])
    expect(channels).toEqual([
      { prefix: 'in_accel_x', type: 'accel', index: '', modifier: 'x', processed: false },
      { prefix: 'in_illuminance0', type: 'illuminance', index: '0', processed: true },
      { prefix: 'in_intensity_both', type: 'intensity', index: '', modifier: 'both', processed: false },
      { prefix: 'in_temp_ambient', type: 'temp', index: '', modifier: 'ambient', processed: false }
    ])
  })
})

describe('iio: values', () => {
  it('applies (raw + offset) * scale with type-shared scale and offset', async () => {
    await using s = await scanned(
      dev(0, {
        name: 'lis3dh',
        in_accel_x_raw: '100',
        in_accel_y_raw: '-50',
        in_accel_z_raw: '1000',
        in_accel_scale: '0.009576806',
        in_accel_offset: '-10'
      })
    )
    expect(s.source.capabilities()).toEqual({ accelerometer: true })
    const value = (await s.source.read('iio.accel.0')).value as number[]
    expect(value).toHaveLength(3)
    ;[90, -60, 990].forEach((r, i) => expect(value[i]).toBeCloseTo(r * 0.009576806, 9))
  })

  it('lets a channel’s own scale and offset override the shared ones', async () => {
    await using s = await scanned(
      dev(0, {
        in_accel_x_raw: '10',
        in_accel_y_raw: '10',
        in_accel_z_raw: '10',
        in_accel_scale: '2',
        in_accel_offset: '1',
        in_accel_y_scale: '3',
        in_accel_z_offset: '-4'
      })
    )
    expect((await s.source.read('iio.accel.0')).value).toEqual([22, 33, 12])
  })

  it('falls back to the direction-wide in_scale, and to scale 1 and offset 0', async () => {
    await using s = await scanned({
      ...dev(0, { in_illuminance_raw: '300', in_scale: '0.5' }),
      ...dev(1, { in_illuminance_raw: '300' })
    })
    expect((await s.source.read('iio.illuminance.0')).value).toBe(150)
    expect(await s.source.read('iio.illuminance.1')).toMatchObject({ value: 300, unit: 'lx' })
  })

  it('reads _input as already processed, ignoring scale and offset', async () => {
    await using s = await scanned(
      dev(0, {
        in_temp_input: '21500',
        in_temp_raw: '9999',
        in_temp_scale: '100',
        in_temp_offset: '7',
        in_humidityrelative_input: '40250',
        in_pressure_input: '99.5'
      })
    )
    expect(s.source.sensors()).toEqual([
      { id: 'iio.humidity.0', kind: 'humidity', unit: '%' },
      { id: 'iio.pressure.0', kind: 'pressure', unit: 'kPa' },
      { id: 'iio.temperature.0', kind: 'temperature', unit: '°C' }
    ])
    expect((await s.source.read('iio.temperature.0')).value).toBe(21.5)
    expect((await s.source.read('iio.humidity.0')).value).toBe(40.25)
    expect((await s.source.read('iio.pressure.0')).value).toBe(99.5)
  })

  it('converts raw temperature and humidity from milli units', async () => {
    await using s = await scanned(
      dev(0, {
        in_temp_raw: '2000',
        in_temp_offset: '-500',
        in_temp_scale: '10',
        in_humidityrelative_raw: '5000',
        in_humidityrelative_scale: '7.8125'
      })
    )
    expect((await s.source.read('iio.temperature.0')).value).toBe(15)
    expect((await s.source.read('iio.humidity.0')).value).toBe(39.0625)
    expect(s.source.capabilities()).toEqual({ temperature: true, humidity: true })
  })

  it('numbers sensors per kind across devices, and groups gyro axes', async () => {
    await using s = await scanned({
      ...dev(2, {
        in_anglvel_x_raw: '1',
        in_anglvel_y_raw: '2',
        in_anglvel_z_raw: '3',
        in_anglvel_scale: '0.5'
      }),
      ...dev(10, { in_temp_input: '1000' }),
      ...dev(1, { in_temp_input: '2000' }),
      'sys/bus/iio/devices/trigger0/name': 'not-a-device'
    })
    expect(s.source.sensors().map((x) => x.id)).toEqual([
      'iio.temperature.0',
      'iio.gyro.0',
      'iio.temperature.1'
    ])
    expect((await s.source.read('iio.temperature.1')).value).toBe(1)
    expect((await s.source.read('iio.gyro.0')).value).toEqual([0.5, 1, 1.5])
    expect(s.source.capabilities()).toEqual({ temperature: true, gyroscope: true })
  })
})

describe('iio: broken files', () => {
  it('skips a channel holding garbage, logs it once, and keeps the rest', async () => {
    await using s = await scanned(
      dev(0, { in_temp_input: 'N/A', in_pressure_input: '101.3', in_humidityrelative_input: '' })
    )
    expect(s.source.sensors().map((x) => x.id)).toEqual(['iio.pressure.0'])
    expect(s.source.capabilities()).toEqual({ pressure: true })
    await s.source.poll()
    await s.source.poll()
    const warnings = s.logged.filter((e) => e.msg.includes('not a number'))
    expect(warnings).toHaveLength(2)
    expect(warnings.map((w) => w.fields?.path)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/in_temp_input$/),
        expect.stringMatching(/in_humidityrelative_input$/)
      ])
    )
  })

  it('drops a vector whose scale is garbage or whose axis is unreadable', async () => {
    await using s = await scanned({
      ...dev(0, { in_accel_x_raw: '1', in_accel_y_raw: '1', in_accel_z_raw: '1', in_accel_scale: '0x10' }),
      ...dev(1, { in_anglvel_x_raw: '1', in_anglvel_y_raw: dir, in_anglvel_z_raw: '1' })
    })
    expect(s.source.sensors()).toEqual([])
    expect(s.source.capabilities()).toEqual({})
    expect(s.logged.map((e) => e.msg)).toEqual(['iio: not a number', 'iio: cannot read (EISDIR)'])
  })

  it('rejects a read with BAD_VALUE when a listed channel turns to garbage, and NOT_FOUND for unknown ids', async () => {
    await using s = await scanned(dev(0, { in_temp_input: '20000' }))
    await s.tree.write(dev(0, { in_temp_input: 'garbage' }))
    await expect(s.source.read('iio.temperature.0')).rejects.toMatchObject({
      name: 'SensorError',
      code: 'BAD_VALUE'
    })
    await s.tree.remove('sys/bus/iio/devices/iio:device0/in_temp_input')
    await expect(s.source.read('iio.temperature.0')).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    await expect(s.source.read('iio.accel.9')).rejects.toMatchObject({
      name: 'SensorError',
      code: 'NOT_FOUND'
    })
  })

  it('is empty without /sys/bus/iio', async () => {
    await using s = await scanned({})
    expect(s.source.sensors()).toEqual([])
    expect(s.source.capabilities()).toEqual({})
    expect(s.logged).toEqual([])
  })
})

describe('iio: the kernel rule, by property', () => {
  const int = fc.integer({ min: -32_768, max: 32_767 })
  const scale = fc.double({ min: 1e-6, max: 100, noNaN: true })

  it('applyScale is (raw + offset) * scale', () => {
    fc.assert(
      fc.property(int, int, scale, (raw, offset, s) => {
        expect(applyScale(raw, offset, s)).toBe((raw + offset) * s)
        expect(applyScale(raw)).toBe(raw)
      })
    )
  })

  it('a device tree with any raw, offset and per-axis scale reads back the rule’s value', async () => {
    await using tree = await FakeTree.create({})
    const source = iioSource({ root: tree.root })
    await fc.assert(
      fc.asyncProperty(fc.tuple(int, int, int), int, scale, scale, async (raws, offset, shared, own) => {
        await tree.write(
          dev(0, {
            in_accel_x_raw: `${raws[0]}`,
            in_accel_y_raw: `${raws[1]}`,
            in_accel_z_raw: `${raws[2]}`,
            in_accel_offset: `${offset}`,
            in_accel_scale: `${shared}`,
            in_accel_z_scale: `${own}`
          })
        )
        await source.poll()
        const value = (await source.read('iio.accel.0')).value as number[]
        const want = [(raws[0] + offset) * shared, (raws[1] + offset) * shared, (raws[2] + offset) * own]
        // The source keeps 12 significant digits.
        want.forEach((w, i) =>
          expect(Math.abs((value[i] ?? NaN) - w)).toBeLessThanOrEqual(1e-11 * Math.max(1, Math.abs(w)))
        )
      }),
      { numRuns: 40 }
    )
  })
})
