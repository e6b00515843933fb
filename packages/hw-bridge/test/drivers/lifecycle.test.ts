import { describe, expect, it } from 'vitest'
import { Harness, TestClock, alive, call } from './harness.ts'

describe('DriverSource: crashes and restarts', () => {
  it('withdraws a crashed driver, fails what was in flight, and restarts it', async () => {
    await using h = await new Harness({}).up()
    const firstPid = h.source.pid
    const inFlight = call(h.source, 'fake.slow')
    const crash = call(h.source, 'fake.crash')
    await expect(crash).rejects.toMatchObject({ name: 'SensorError', code: 'UNAVAILABLE' })
    await expect(inFlight).rejects.toMatchObject({ name: 'SensorError', code: 'UNAVAILABLE' })
    expect(await h.nth('down', 1)).toMatchObject({ reason: 'exit', code: 7, signal: null })
    // Withdrawn at once, and the bridge was told.
    expect(h.changes).toBe(2)
    expect(h.source.capabilities()).toEqual({})
    expect(h.source.sensors()).toEqual([])
    expect(h.source.tasks?.()).toEqual({})
    expect(h.logged(/driver fake exited with code 7/)).toMatchObject({ level: 'error' })
    expect(await h.nth('restart', 1)).toEqual({ delayMs: 5, failures: 1 })
    expect(await h.nth('up', 2)).toMatchObject({ restarts: 1 })
    expect(h.source.pid).not.toBe(firstPid)
    expect(h.changes).toBe(3)
    expect(h.source.capabilities()).toEqual({ fake: true, fakeLevel: 1 })
    expect(await h.source.read('fake.temperature')).toMatchObject({ value: 21.5 })
  })

  it('reads and calls fail with UNAVAILABLE while the driver is down', async () => {
    const restartMs = 3_333
    const clock = new TestClock([restartMs])
    await using h = await new Harness({ restart: { initialMs: restartMs } }, clock).up()
    await expect(call(h.source, 'fake.crash')).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    await h.nth('restart', 1)
    expect(h.source.status).toBe('down')
    await expect(h.source.read('fake.temperature')).rejects.toMatchObject({
      name: 'SensorError',
      code: 'UNAVAILABLE'
    })
    expect(clock.fire(restartMs)).toBe(1)
    await h.nth('up', 2)
    expect(h.source.status).toBe('up')
  })

  it('backs off exponentially up to maxMs while the driver keeps crashing', async () => {
    const clock = new TestClock()
    await using h = new Harness(
      { flags: ['--crash-after-hello=1'], restart: { initialMs: 5, factor: 2, maxMs: 20 } },
      clock
    )
    await h.source.start(() => h.changes++)
    await h.nth('restart', 5)
    await h.source.stop()
    expect(h.all('restart').map((r) => r.delayMs)).toEqual([5, 10, 20, 20, 20])
    expect(
      h
        .all('down')
        .slice(0, 5)
        .every((d) => d.reason === 'exit' && d.code === 1)
    ).toBe(true)
    // Stopped for good: no restart is armed.
    expect(h.source.status).toBe('stopped')
    expect(clock.pending).toBe(0)
  })

  it('starts the backoff over once the driver has been up for stableMs', async () => {
    const stableMs = 60_000
    const clock = new TestClock()
    await using h = await new Harness({ restart: { initialMs: 5, factor: 3, stableMs } }, clock).up()
    await call(h.source, 'fake.crash').catch(() => {})
    expect(await h.nth('restart', 1)).toMatchObject({ delayMs: 5 })
    await h.nth('up', 2)
    await call(h.source, 'fake.crash').catch(() => {})
    expect(await h.nth('restart', 2)).toMatchObject({ delayMs: 15 })
    await h.nth('up', 3)
    clock.offsetMs += stableMs
    await call(h.source, 'fake.crash').catch(() => {})
    expect(await h.nth('restart', 3)).toMatchObject({ delayMs: 5, failures: 1 })
  })

  it('restarts a command that cannot be spawned', async () => {
    await using h = new Harness({ command: '/nonexistent/mesh-driver', args: [] })
    await h.source.start(() => h.changes++)
    expect(await h.nth('down', 1)).toMatchObject({ reason: 'spawn-failed' })
    expect(h.all('down')[0]?.detail).toMatch(/ENOENT/)
    await h.nth('restart', 1)
    expect(h.changes).toBe(0)
  })
})

describe('DriverSource: startup', () => {
  it('kills and restarts a driver that never says hello', async () => {
    await using h = new Harness({ flags: ['--silent'], helloTimeoutMs: 50 })
    await h.source.start(() => h.changes++)
    const spawned = await h.nth('spawn', 1)
    expect(await h.nth('down', 1)).toMatchObject({ reason: 'hello-timeout', detail: 'no hello within 50 ms' })
    expect(h.logged(/driver fake: no hello within 50 ms; restarting it/)).toMatchObject({ level: 'error' })
    await h.nth('spawn', 2)
    expect(spawned.pid !== undefined && alive(spawned.pid)).toBe(false)
    expect(h.changes).toBe(0)
  })

  it('refuses a driver that speaks another protocol version', async () => {
    await using h = new Harness({ flags: ['--protocol=2'] })
    await h.source.start(() => h.changes++)
    expect(await h.nth('down', 1)).toMatchObject({
      reason: 'bad-hello',
      detail: 'speaks protocol 2; this bridge speaks 1'
    })
    expect(h.source.capabilities()).toEqual({})
    expect(h.count('up')).toBe(0)
  })

  it('can only be started once', async () => {
    await using h = await new Harness({}).up()
    await expect(h.source.start(() => {})).rejects.toThrow(/already started/)
  })
})

describe('DriverSource: stop', () => {
  it('closes stdin and the driver exits; nothing restarts', async () => {
    const clock = new TestClock()
    const h = await new Harness({}, clock).up()
    const pid = h.source.pid ?? 0
    expect(alive(pid)).toBe(true)
    await h.source.stop()
    expect(alive(pid)).toBe(false)
    expect(h.logged(/still running/)).toBeUndefined()
    expect(h.source.status).toBe('stopped')
    expect(h.source.pid).toBeUndefined()
    expect(h.source.capabilities()).toEqual({})
    expect(h.all('down')).toEqual([{ reason: 'stopped', code: null, signal: null, detail: 'stopped' }])
    expect(h.count('restart')).toBe(0)
    expect(clock.pending).toBe(0)
    // stop() is idempotent.
    await h.source.stop()
  })

  it('escalates to SIGTERM and SIGKILL for a driver that ignores both stdin and SIGTERM', async () => {
    const clock = new TestClock()
    const h = await new Harness({ flags: ['--ignore-term'], killGraceMs: 50 }, clock).up()
    const pid = h.source.pid ?? 0
    await h.source.stop()
    expect(alive(pid)).toBe(false)
    const escalation = h.logs.filter((l) => /still running 50 ms after being told to exit/.test(l.msg))
    expect(escalation.map((l) => l.fields?.signal)).toEqual(['SIGTERM', 'SIGKILL'])
    expect(h.count('restart')).toBe(0)
    expect(h.count('spawn')).toBe(1)
    expect(clock.pending).toBe(0)
  })

  it('stops a driver that is waiting to be restarted', async () => {
    const clock = new TestClock([60_000])
    const h = await new Harness({ restart: { initialMs: 60_000 } }, clock).up()
    await call(h.source, 'fake.crash').catch(() => {})
    await h.nth('restart', 1)
    expect(clock.pending).toBe(1)
    await h.source.stop()
    expect(clock.pending).toBe(0)
    expect(clock.fire(60_000)).toBe(0)
    expect(h.count('spawn')).toBe(1)
  })
})
