import { describe, expect, it } from 'vitest'
import { Harness, TestClock, call } from './harness.ts'

describe('DriverSource: a well-behaved driver', () => {
  it('advertises what hello lists once the driver is up', async () => {
    await using h = new Harness({})
    expect(h.source.name).toBe('driver:fake')
    expect(h.source.status).toBe('idle')
    expect(h.source.capabilities()).toEqual({})
    await h.up()
    expect(h.source.status).toBe('up')
    expect(h.changes).toBe(1)
    expect(h.source.capabilities()).toEqual({ fake: true, fakeLevel: 1 })
    expect(h.source.sensors()).toEqual([
      { id: 'fake.temperature', kind: 'temperature', unit: '°C' },
      { id: 'fake.humidity', kind: 'humidity', unit: '%' },
      { id: 'fake.broken', kind: 'temperature' },
      { id: 'fake.weird', kind: 'temperature' }
    ])
    expect(Object.keys(h.source.tasks?.() ?? {})).toContain('fake.echo')
    expect(h.source.pid).toBeGreaterThan(0)
    expect(h.logged(/driver fake is up/)).toBeDefined()
  })

  it('reads a sensor by asking the driver, and maps its failures to SensorError codes', async () => {
    await using h = await new Harness({}).up()
    const before = Date.now()
    const reading = await h.source.read('fake.temperature')
    expect(reading).toMatchObject({ sensor: 'fake.temperature', value: 21.5, unit: '°C' })
    expect(reading.at).toBeGreaterThanOrEqual(before)
    await expect(h.source.read('fake.broken')).rejects.toMatchObject({
      name: 'SensorError',
      code: 'NOT_FOUND'
    })
    await expect(h.source.read('fake.weird')).rejects.toMatchObject({
      name: 'SensorError',
      code: 'BAD_VALUE'
    })
    await expect(h.source.read('fake.nope')).rejects.toMatchObject({ name: 'SensorError', code: 'NOT_FOUND' })
    await expect(h.source.read('temperature')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('answers reads of a push sensor from the latest sample', async () => {
    await using h = await new Harness({}).up()
    await expect(h.source.read('fake.humidity')).rejects.toMatchObject({
      name: 'SensorError',
      code: 'UNAVAILABLE'
    })
    expect(await call(h.source, 'fake.sample', 48.5)).toBe('sent')
    expect(await h.nth('sample', 1)).toMatchObject({ sensor: 'fake.humidity', value: 48.5, unit: '%' })
    expect(await h.source.read('fake.humidity')).toMatchObject({ sensor: 'fake.humidity', value: 48.5 })
    await call(h.source, 'fake.sample', 49)
    expect((await h.source.read('fake.humidity')).value).toBe(49)
  })

  it('runs tasks: values round-trip, driver errors become DriverError', async () => {
    await using h = await new Harness({}).up()
    const args = { text: 'héllo ✓', list: [1, 2.5, null], nested: { ok: true } }
    expect(await call(h.source, 'fake.echo', args)).toEqual(args)
    expect(await call(h.source, 'fake.echo')).toBeNull()
    await expect(call(h.source, 'fake.fail')).rejects.toMatchObject({
      name: 'DriverError',
      code: 'E_FAKE',
      driver: 'fake',
      message: 'it failed'
    })
    // A request that cannot be a JSON line is refused before it is sent.
    await expect(call(h.source, 'fake.echo', { big: 1n })).rejects.toMatchObject({ code: 'BAD_VALUE' })
    await expect(call(h.source, 'fake.echo', 'x'.repeat(70_000))).rejects.toMatchObject({ code: 'BAD_VALUE' })
    expect(await call(h.source, 'fake.echo', 'still fine')).toBe('still fine')
  })

  it('takes capability updates and re-advertises', async () => {
    await using h = await new Harness({}).up()
    expect(await call(h.source, 'fake.caps', { fake: true, fakeLevel: 2, modes: ['a', 'b'] })).toBe('sent')
    await h.nth('capabilities', 1)
    expect(h.changes).toBe(2)
    expect(h.source.capabilities()).toEqual({ fake: true, fakeLevel: 2, modes: ['a', 'b'] })
  })

  it('drops replies to ids it never sent, logs driver log lines and stderr', async () => {
    await using h = await new Harness({}).up()
    expect(await call(h.source, 'fake.stray')).toBe('sent')
    expect(await h.nth('late-reply', 1)).toEqual({ id: 999_999, known: false })
    expect(h.logged(/dropped a reply to request 999999 \(never sent\)/)).toMatchObject({ level: 'info' })
    await h.until(() => h.logged(/stray sent/) !== undefined, 'the driver log line')
    expect(h.logged(/^driver fake: stray sent$/)).toMatchObject({ level: 'info', fields: { driver: 'fake' } })
    await h.until(() => h.logged(/stderr/) !== undefined, 'the stderr line')
    expect(h.logged(/stderr/)).toMatchObject({ level: 'warn', msg: 'driver fake stderr: a line on stderr' })
    expect(h.source.status).toBe('up')
  })
})

describe('DriverSource: slow drivers and cancellation', () => {
  const timeoutMs = 4_321

  it('times a call out with TIMEOUT, cancels it, and ignores the late reply', async () => {
    const clock = new TestClock([timeoutMs])
    await using h = await new Harness({ timeoutMs }, clock).up()
    const slow = call(h.source, 'fake.slow')
    expect(clock.fire(timeoutMs)).toBe(1)
    await expect(slow).rejects.toMatchObject({ name: 'SensorError', code: 'TIMEOUT' })
    await expect(slow).rejects.toThrow(/timed out after 4321 ms/)
    // The driver saw the cancel, and its late answer is dropped, not mistaken for another.
    const released = (await call(h.source, 'fake.release')) as { released: number[]; cancelled: number[] }
    expect(released.released).toHaveLength(1)
    expect(released.cancelled).toEqual(released.released)
    expect(await h.nth('late-reply', 1)).toEqual({ id: released.released[0], known: true })
    expect(h.logged(/already timed out or cancelled/)).toBeDefined()
    expect(clock.pending).toBe(0)
    expect(await h.source.read('fake.temperature')).toMatchObject({ value: 21.5 })
  })

  it('a read times out too', async () => {
    const clock = new TestClock([timeoutMs])
    await using h = await new Harness({ timeoutMs }, clock).up()
    const reading = h.source.read('fake.temperature')
    clock.fire(timeoutMs)
    await expect(reading).rejects.toMatchObject({ name: 'SensorError', code: 'TIMEOUT' })
  })

  it('cancels a call when its signal aborts', async () => {
    await using h = await new Harness({}).up()
    const controller = new AbortController()
    const slow = call(h.source, 'fake.slow', undefined, controller.signal)
    controller.abort(new DOMException('no longer needed', 'AbortError'))
    await expect(slow).rejects.toMatchObject({ name: 'AbortError' })
    const released = (await call(h.source, 'fake.release')) as { released: number[]; cancelled: number[] }
    expect(released.cancelled).toEqual(released.released)
    await h.nth('late-reply', 1)
    const aborted = AbortSignal.abort()
    await expect(h.source.read('fake.temperature', aborted)).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('limits requests in flight', async () => {
    await using h = await new Harness({ maxPending: 2 }).up()
    const a = call(h.source, 'fake.slow')
    const b = call(h.source, 'fake.slow')
    const settled = Promise.allSettled([a, b])
    await expect(call(h.source, 'fake.echo', 1)).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    await h.source.stop()
    for (const outcome of await settled) {
      expect(outcome).toMatchObject({
        status: 'rejected',
        reason: { name: 'SensorError', code: 'UNAVAILABLE' }
      })
    }
  })
})
