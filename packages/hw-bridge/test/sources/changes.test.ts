import { afterEach, describe, expect, it, vi } from 'vitest'
import { cpuSource, powerSource, thermalSource } from '../../src/sources/index.ts'
import { polledSource } from '../../src/sources/polled.ts'
import { FakeTree, recordingLog } from '../fixtures/fake-tree.ts'

const battery = (capacity: string, status = 'Discharging') => ({
  'sys/class/power_supply/BAT0/type': 'Battery\n',
  'sys/class/power_supply/BAT0/status': `${status}\n`,
  'sys/class/power_supply/BAT0/capacity': `${capacity}\n`
})

afterEach(() => {
  vi.useRealTimers()
})

describe('change detection', () => {
  it('calls changed() once when the battery drops a percent, and not for unchanged polls', async () => {
    await using tree = await FakeTree.create(battery('80'))
    const source = powerSource({ root: tree.root })
    let changes = 0
    await source.start(() => changes++)
    expect(changes).toBe(0)
    expect(source.capabilities()).toMatchObject({ battery: 80 })
    expect(await source.poll()).toBe(false)
    await tree.write(battery('79'))
    expect(await source.poll()).toBe(true)
    expect(await source.poll()).toBe(false)
    expect(changes).toBe(1)
    expect(source.capabilities()).toMatchObject({ battery: 79 })
    await tree.write(battery('79', 'Charging'))
    await source.poll()
    expect(changes).toBe(2)
    expect(source.capabilities()).toMatchObject({ charging: true })
    await source.stop()
  })

  it('does not re-advertise a load wiggle within 0.1, nor a temperature change', async () => {
    await using tree = await FakeTree.create({
      'proc/cpuinfo': 'processor : 0\n',
      'proc/loadavg': '0.51 0.4 0.3 1/1 1\n',
      'sys/class/thermal/thermal_zone0/type': 'cpu-thermal\n',
      'sys/class/thermal/thermal_zone0/temp': '40000\n'
    })
    const cpu = cpuSource({ root: tree.root })
    const thermal = thermalSource({ root: tree.root })
    let changes = 0
    await cpu.start(() => changes++)
    await thermal.start(() => changes++)
    await tree.write({
      'proc/loadavg': '0.54 0.4 0.3 1/1 1\n',
      'sys/class/thermal/thermal_zone0/temp': '71000\n'
    })
    await cpu.poll()
    await thermal.poll()
    expect(changes).toBe(0)
    expect((await thermal.read('thermal.cpu-thermal')).value).toBe(71)
    await tree.write({ 'proc/loadavg': '0.56 0.4 0.3 1/1 1\n' })
    await cpu.poll()
    expect(changes).toBe(1)
    expect(cpu.capabilities()).toMatchObject({ load1: 0.6 })
  })

  it('polls every sampleMs once started, and stops polling on stop()', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    await using tree = await FakeTree.create(battery('50'))
    const source = powerSource({ root: tree.root, sampleMs: 2_000 })
    let changes = 0
    await source.start(() => changes++)
    expect(vi.getTimerCount()).toBe(1)
    await tree.write(battery('49'))
    vi.advanceTimersByTime(1_999)
    expect(changes).toBe(0)
    vi.advanceTimersByTime(1)
    await vi.waitFor(() => expect(changes).toBe(1), { timeout: 5_000 })
    expect(source.capabilities()).toMatchObject({ battery: 49 })
    await source.stop()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('keeps polling when changed() throws, and logs it', async () => {
    await using tree = await FakeTree.create(battery('50'))
    const { log, entries } = recordingLog()
    const source = powerSource({ root: tree.root, log })
    await source.start(() => {
      throw new Error('bridge bug')
    })
    await tree.write(battery('40'))
    await expect(source.poll()).resolves.toBe(true)
    expect(entries).toEqual([expect.objectContaining({ level: 'error', msg: 'power: changed() threw' })])
    await source.stop()
  })

  it('withdraws capabilities when their files disappear', async () => {
    await using tree = await FakeTree.create(battery('50'))
    const source = powerSource({ root: tree.root })
    let changes = 0
    await source.start(() => changes++)
    await tree.remove('sys/class/power_supply')
    await source.poll()
    expect(changes).toBe(1)
    expect(source.capabilities()).toEqual({})
    expect(source.sensors()).toEqual([])
    await expect(source.read('power.BAT0.capacity')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})

describe('a source whose scan throws', () => {
  it('keeps its last snapshot, never rejects, and logs the failure once', async () => {
    const { log, entries } = recordingLog()
    let fail = false
    const source = polledSource('test', { log }, 1_000, {
      scan: () => {
        if (fail) throw new TypeError('a bug')
        return Promise.resolve({ capabilities: { test: true }, sensors: [] })
      },
      read: () => Promise.reject(new Error('unused'))
    })
    await source.poll()
    fail = true
    await expect(source.poll()).resolves.toBe(false)
    await expect(source.poll()).resolves.toBe(false)
    expect(source.capabilities()).toEqual({ test: true })
    expect(entries).toEqual([
      { level: 'error', msg: 'test: scan failed', fields: { error: 'TypeError: a bug' } }
    ])
  })
})
