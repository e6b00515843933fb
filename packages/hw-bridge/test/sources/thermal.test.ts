import { describe, expect, it } from 'vitest'
import { thermalSource } from '../../src/sources/index.ts'
import { FakeTree, dir, recordingLog } from '../fixtures/fake-tree.ts'

const zone = (n: number, type: string, temp: string | typeof dir) => ({
  [`sys/class/thermal/thermal_zone${n}/type`]: `${type}\n`,
  [`sys/class/thermal/thermal_zone${n}/temp`]: temp
})

describe('thermal (sysfs-class-thermal)', () => {
  it('reads millidegrees as °C, including below zero, and names repeated types apart', async () => {
    await using tree = await FakeTree.create({
      ...zone(0, 'acpitz', '27800\n'),
      ...zone(1, 'x86_pkg_temp', '-5500\n'),
      ...zone(2, 'acpitz', '29800\n'),
      'sys/class/thermal/cooling_device0/type': 'Processor\n'
    })
    const source = thermalSource({ root: tree.root })
    await source.poll()
    expect(source.capabilities()).toEqual({ thermal: ['acpitz', 'x86_pkg_temp'] })
    expect(source.sensors().map((s) => s.id)).toEqual([
      'thermal.acpitz',
      'thermal.x86_pkg_temp',
      'thermal.acpitz.1'
    ])
    expect(await source.read('thermal.acpitz')).toMatchObject({ value: 27.8, unit: '°C' })
    expect((await source.read('thermal.x86_pkg_temp')).value).toBe(-5.5)
    expect((await source.read('thermal.acpitz.1')).value).toBe(29.8)
  })

  it('skips a zone whose temp cannot be read or is garbage, logging each once', async () => {
    await using tree = await FakeTree.create({
      ...zone(0, 'cpu-thermal', '45000\n'),
      // A directory where the file should be: reading it fails (EISDIR), like EIO/ENODATA would.
      ...zone(1, 'battery', dir),
      ...zone(2, 'gpu', 'ERR\n')
    })
    const { log, entries } = recordingLog()
    const source = thermalSource({ root: tree.root, log })
    for (let i = 0; i < 3; i++) await source.poll()
    expect(source.sensors().map((s) => s.id)).toEqual(['thermal.cpu-thermal'])
    expect(source.capabilities()).toEqual({ thermal: ['cpu-thermal'] })
    expect(entries.map((e) => [e.level, e.msg])).toEqual([
      ['warn', 'thermal: cannot read (EISDIR)'],
      ['warn', 'thermal: not a number']
    ])
  })

  it('brings a zone back when it reads again, and logs a new breakage again', async () => {
    await using tree = await FakeTree.create(zone(0, 'cpu-thermal', 'bad'))
    const { log, entries } = recordingLog()
    const source = thermalSource({ root: tree.root, log })
    await source.poll()
    expect(source.sensors()).toEqual([])
    await tree.write(zone(0, 'cpu-thermal', '40000'))
    expect(await source.poll()).toBe(true)
    expect(source.sensors()).toHaveLength(1)
    await tree.write(zone(0, 'cpu-thermal', 'bad'))
    await source.poll()
    expect(entries).toHaveLength(2)
  })

  it('rejects a read with UNAVAILABLE when the zone disappears', async () => {
    await using tree = await FakeTree.create(zone(0, 'cpu-thermal', '40000'))
    const source = thermalSource({ root: tree.root })
    await source.poll()
    await tree.remove('sys/class/thermal/thermal_zone0')
    await expect(source.read('thermal.cpu-thermal')).rejects.toMatchObject({
      name: 'SensorError',
      code: 'UNAVAILABLE'
    })
  })

  it('has nothing to say without /sys/class/thermal', async () => {
    await using tree = await FakeTree.create({})
    const source = thermalSource({ root: tree.root })
    expect(await source.poll()).toBe(false)
    expect(source.capabilities()).toEqual({})
  })
})
