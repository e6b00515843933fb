import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EXAMPLES, Harness, call } from './harness.ts'

/** The Python examples are part of what ships; a machine that tests them needs python3. */
function expectPython(): void {
  const python = spawnSync('python3', ['--version'], { encoding: 'utf8' })
  expect(python.error, 'python3 must be on PATH to test the Python example drivers').toBeUndefined()
}

describe('the shipped example drivers', () => {
  it('counter.mjs serves a polled sensor, a pushed sensor and tasks', async () => {
    await using h = await new Harness({
      name: 'counter',
      command: process.execPath,
      args: [join(EXAMPLES, 'counter.mjs'), '--interval-ms=20']
    }).up()
    expect(h.source.capabilities()).toEqual({ counter: true })
    expect(h.source.sensors().map((s) => s.id)).toEqual(['counter.count', 'counter.uptime'])
    expect(await h.source.read('counter.count')).toMatchObject({ value: 0 })
    expect(await call(h.source, 'counter.add', { by: 2 })).toBe(2)
    expect(await call(h.source, 'counter.add')).toBe(3)
    await expect(call(h.source, 'counter.add', { by: 'x' })).rejects.toMatchObject({
      name: 'DriverError',
      code: 'BAD_ARGS'
    })
    expect(await h.source.read('counter.count')).toMatchObject({ value: 3 })
    expect(await call(h.source, 'counter.reset')).toBe(0)
    expect(await h.nth('sample', 1)).toMatchObject({ sensor: 'counter.uptime', unit: 's' })
    expect(await h.source.read('counter.uptime')).toMatchObject({ sensor: 'counter.uptime' })
  })

  it('dht22.py --simulate speaks the protocol (needs python3)', async () => {
    expectPython()
    await using h = await new Harness({
      name: 'dht22',
      command: 'python3',
      args: [join(EXAMPLES, 'dht22.py'), '--simulate', '--seed', '1']
    }).up()
    expect(h.source.capabilities()).toEqual({ dht22: true, temperature: true, humidity: true })
    expect(h.source.sensors()).toEqual([
      { id: 'dht22.temperature', kind: 'temperature', unit: '°C' },
      { id: 'dht22.humidity', kind: 'humidity', unit: '%' }
    ])
    const temperature = await h.source.read('dht22.temperature')
    expect(temperature).toMatchObject({ sensor: 'dht22.temperature', unit: '°C' })
    expect(temperature.value).toBeGreaterThan(15)
    expect(temperature.value).toBeLessThan(30)
    const both = (await call(h.source, 'dht22.read')) as { temperature: number; humidity: number }
    expect(both.temperature).toBe(temperature.value)
    expect(both.humidity).toBeGreaterThanOrEqual(0)
    expect(both.humidity).toBeLessThanOrEqual(100)
    await h.until(() => h.logged(/simulating a DHT22/) !== undefined, 'the simulate log line')
    expect(h.count('garbage')).toBe(0)
  })

  it('thermo.py, the minimal driver in docs/DRIVERS.md, works as printed (needs python3)', async () => {
    expectPython()
    await using h = await new Harness({
      name: 'thermo',
      command: 'python3',
      args: [join(EXAMPLES, 'thermo.py')]
    }).up()
    expect(h.source.capabilities()).toEqual({ temperature: true })
    const before = await h.source.read('thermo.temperature')
    expect(before.value).toBeGreaterThanOrEqual(20)
    expect(before.value).toBeLessThan(21)
    expect(await call(h.source, 'thermo.calibrate', { offset: 5 })).toEqual({ offset: 5 })
    expect((await h.source.read('thermo.temperature')).value).toBeGreaterThanOrEqual(25)
  })
})
