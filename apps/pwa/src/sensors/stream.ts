import type { StreamArgs } from './args'
import { SensorOffError } from './errors'
import type { Sample } from './types'

/** Timers, injectable so tests run streams on a fake clock. */
export interface Clock {
  now(): number
  every(ms: number, fn: () => void): () => void
  after(ms: number, fn: () => void): () => void
}

export const realClock: Clock = {
  now: () => Date.now(),
  every: (ms, fn) => {
    const t = setInterval(fn, ms)
    return () => clearInterval(t)
  },
  after: (ms, fn) => {
    const t = setTimeout(fn, ms)
    return () => clearTimeout(t)
  }
}

/** What a stream reads from and writes to; `sensor.stream` passes the source and `ctx`. */
export interface StreamComponents {
  /** The latest reading, or undefined before the first one. */
  read(): Sample | undefined
  /** Whether the sensor still runs; a stream stops with `SensorOffError` when it does not. */
  isOn(): boolean
  emit(sample: Sample): void
  signal: AbortSignal
  clock?: Clock
}

export type StreamEnd = 'duration' | 'maxSamples' | 'cancelled'

export interface StreamSummary {
  sensor: string
  samples: number
  rateHz: number
  endedBy: StreamEnd
}

/**
 * Samples the latest reading every `1000 / rateHz` ms and emits it, stamped with the
 * sampling time: never faster than the (already clamped) rate, whatever the sensor's own
 * event rate. Ends after `durationMs`, after `maxSamples`, or when `signal` aborts, and
 * fails when the sensor goes off (its permission was revoked, its track ended).
 */
export function runStream(args: StreamArgs, c: StreamComponents): Promise<StreamSummary> {
  const clock = c.clock ?? realClock
  return new Promise<StreamSummary>((resolve, reject) => {
    let samples = 0
    const stops: Array<() => void> = []
    const finish = (end: StreamEnd | Error): void => {
      for (const stop of stops) stop()
      c.signal.removeEventListener('abort', onAbort)
      if (end instanceof Error) reject(end)
      else resolve({ sensor: args.sensor, samples, rateHz: args.rateHz, endedBy: end })
    }
    const onAbort = (): void => finish('cancelled')
    if (c.signal.aborted) return finish('cancelled')
    c.signal.addEventListener('abort', onAbort, { once: true })
    const tick = (): void => {
      if (!c.isOn()) return finish(new SensorOffError(`${args.sensor} was switched off`))
      const latest = c.read()
      if (latest === undefined) return
      c.emit({ ...latest, at: clock.now() })
      samples += 1
      if (samples >= args.maxSamples) finish('maxSamples')
    }
    stops.push(clock.every(1_000 / args.rateHz, tick))
    stops.push(clock.after(args.durationMs, () => finish('duration')))
  })
}
