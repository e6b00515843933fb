import { describe, expect, it } from 'vitest'
import { powerSource } from '../../src/sources/index.ts'
import { FakeTree, recordingLog } from '../fixtures/fake-tree.ts'

const supply = (name: string, attrs: Record<string, string>) =>
  Object.fromEntries(Object.entries(attrs).map(([k, v]) => [`sys/class/power_supply/${name}/${k}`, `${v}\n`]))

describe('power (sysfs-class-power)', () => {
  it('advertises battery level, charging and mains, and reads each attribute in SI units', async () => {
    await using tree = await FakeTree.create({
      ...supply('BAT0', {
        type: 'Battery',
        status: 'Charging',
        present: '1',
        capacity: '64',
        voltage_now: '12100000',
        current_now: '1500000',
        power_now: '18150000',
        temp: '-15'
      }),
      ...supply('AC', { type: 'Mains', online: '1' }),
      ...supply('ucsi-source-psy-USBC000:001', { type: 'USB', online: '0', scope: 'System' })
    })
    const source = powerSource({ root: tree.root })
    await source.poll()
    expect(source.capabilities()).toEqual({ battery: 64, charging: true, mains: true })
    expect((await source.read('power.BAT0.voltage')).value).toBe(12.1)
    expect((await source.read('power.BAT0.current')).value).toBe(1.5)
    expect((await source.read('power.BAT0.power')).value).toBe(18.15)
    expect(await source.read('power.BAT0.temperature')).toMatchObject({ value: -1.5, unit: '°C' })
    expect((await source.read('power.BAT0.status')).value).toBe('Charging')
    expect((await source.read('power.AC.online')).value).toBe(true)
    expect((await source.read('power.ucsi-source-psy-USBC000:001.online')).value).toBe(false)
  })

  it('computes the level from energy or charge when capacity is missing, weighting two batteries', async () => {
    await using tree = await FakeTree.create({
      ...supply('BAT0', {
        type: 'Battery',
        status: 'Discharging',
        energy_now: '40000000',
        energy_full: '50000000'
      }),
      ...supply('BAT1', { type: 'Battery', status: 'Discharging', capacity: '20', energy_full: '150000000' })
    })
    const source = powerSource({ root: tree.root })
    await source.poll()
    // (80 % × 50 Wh + 20 % × 150 Wh) / 200 Wh = 35 %
    expect(source.capabilities()).toEqual({ battery: 35, charging: false })
  })

  it('ignores device-scope and absent batteries for capabilities but still lists their sensors', async () => {
    await using tree = await FakeTree.create({
      ...supply('hidpp_battery_0', {
        type: 'Battery',
        scope: 'Device',
        capacity: '10',
        status: 'Discharging'
      }),
      ...supply('BAT1', { type: 'Battery', present: '0', capacity: '0' })
    })
    const source = powerSource({ root: tree.root })
    await source.poll()
    expect(source.capabilities()).toEqual({})
    expect(source.sensors().map((s) => s.id)).toEqual([
      'power.BAT1.capacity',
      'power.hidpp_battery_0.capacity',
      'power.hidpp_battery_0.status'
    ])
  })

  it('survives garbage: a broken capacity is logged once and left out', async () => {
    await using tree = await FakeTree.create({
      ...supply('battery', { type: 'Battery', capacity: 'lots', status: 'Full', voltage_now: '4200000' })
    })
    const { log, entries } = recordingLog()
    const source = powerSource({ root: tree.root, log })
    await source.poll()
    await source.poll()
    expect(source.capabilities()).toEqual({})
    expect(source.sensors().map((s) => s.id)).toEqual(['power.battery.voltage', 'power.battery.status'])
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ level: 'warn', msg: 'power: not a number' })
  })

  it('is empty without /sys/class/power_supply (a desktop or a bare Pi)', async () => {
    await using tree = await FakeTree.create({ 'sys/class/power_supply/junk': 'a file, not a supply' })
    const source = powerSource({ root: tree.root })
    await source.poll()
    expect(source.capabilities()).toEqual({})
    expect(source.sensors()).toEqual([])
  })
})
