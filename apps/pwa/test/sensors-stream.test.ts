import { describe, expect, it } from 'vitest'
import { parseStreamArgs } from '../src/sensors/args'
import { maxRateHz } from '../src/sensors/constants'
import { runStream } from '../src/sensors/stream'
import type { Clock } from '../src/sensors/stream'
import type { Sample } from '../src/sensors/types'

/** A clock that only moves when told, with interval and timeout timers on it. */
function fakeClock() {
  let now = 0
  let nextId = 0
  const timers = new Map<number, { at: number; every: number | undefined; fn: () => void }>()
  const clock: Clock = {
    now: () => now,
    every(ms, fn) {
      const id = (nextId += 1)
      timers.set(id, { at: now + ms, every: ms, fn })
      return () => timers.delete(id)
    },
    after(ms, fn) {
      const id = (nextId += 1)
      timers.set(id, { at: now + ms, every: undefined, fn })
      return () => timers.delete(id)
    }
  }
  /** Moves time forward to `to`, firing timers in order. */
  const advance = (by: number): void => {
    const end = now + by
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0]
      if (due === undefined) break
      const [id, t] = due
      now = t.at
      if (t.every === undefined) timers.delete(id)
      else t.at += t.every
      t.fn()
    }
    now = end
  }
  return { clock, advance, pending: () => timers.size }
}

const reading: Sample = { sensor: 'motion', value: [1, 2, 3], unit: 'm/s²', at: 0 }

function setup(args: unknown, o: { on?: () => boolean; read?: () => Sample | undefined } = {}) {
  const { clock, advance, pending } = fakeClock()
  const emitted: Sample[] = []
  const abort = new AbortController()
  const done = runStream(parseStreamArgs(args), {
    read: o.read ?? (() => reading),
    isOn: o.on ?? (() => true),
    emit: (s) => emitted.push(s),
    signal: abort.signal,
    clock
  })
  return { done, emitted, advance, abort, pending }
}

describe('runStream', () => {
  it('samples at the requested rate for the duration, then ends', async () => {
    const s = setup({ sensor: 'motion', rateHz: 10, durationMs: 1_000 })
    s.advance(1_000)
    const summary = await s.done
    expect(summary).toEqual({ sensor: 'motion', samples: 10, rateHz: 10, endedBy: 'duration' })
    expect(s.emitted.map((e) => e.at)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000])
    expect(s.emitted[0]).toEqual({ sensor: 'motion', value: [1, 2, 3], unit: 'm/s²', at: 100 })
    expect(s.pending()).toBe(0)
  })

  it('never exceeds the clamped rate, whatever was asked', async () => {
    const s = setup({ sensor: 'motion', rateHz: 10_000, durationMs: 2_000 })
    s.advance(2_000)
    const summary = await s.done
    expect(summary.rateHz).toBe(maxRateHz)
    expect(s.emitted.length).toBeLessThanOrEqual(maxRateHz * 2 + 1)
    expect(s.emitted.length).toBeGreaterThanOrEqual(maxRateHz * 2 - 1)
  })

  it('stops at maxSamples', async () => {
    const s = setup({ sensor: 'motion', rateHz: 50, durationMs: 60_000, maxSamples: 7 })
    s.advance(60_000)
    expect(await s.done).toMatchObject({ samples: 7, endedBy: 'maxSamples' })
    expect(s.emitted).toHaveLength(7)
    expect(s.pending()).toBe(0)
  })

  it('stops when the caller cancels', async () => {
    const s = setup({ sensor: 'motion', rateHz: 10, durationMs: 60_000 })
    s.advance(350)
    s.abort.abort()
    expect(await s.done).toMatchObject({ samples: 3, endedBy: 'cancelled' })
    s.advance(10_000)
    expect(s.emitted).toHaveLength(3)
    expect(s.pending()).toBe(0)
  })

  it('emits nothing before the first reading', async () => {
    let value: Sample | undefined = undefined
    const s = setup({ sensor: 'motion', rateHz: 10, durationMs: 1_000 }, { read: () => value })
    s.advance(500)
    value = reading
    s.advance(500)
    expect(await s.done).toMatchObject({ samples: 5 })
  })

  it('fails with SensorOffError when the sensor goes off mid-stream', async () => {
    let on = true
    const s = setup({ sensor: 'motion', rateHz: 10, durationMs: 60_000 }, { on: () => on })
    s.advance(300)
    on = false
    s.advance(100)
    await expect(s.done).rejects.toMatchObject({ name: 'SensorOffError' })
    expect(s.emitted).toHaveLength(3)
    expect(s.pending()).toBe(0)
  })
})
