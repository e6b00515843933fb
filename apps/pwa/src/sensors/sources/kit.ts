import type { Sample, SensorSource } from '../types'

/** The bookkeeping every source shares: latest readings, listeners, and a start token. */
export interface SourceKit extends Pick<SensorSource, 'read' | 'subscribe' | 'onChange' | 'onFailure'> {
  publish(sample: Sample): void
  /** The capability value changed on its own. */
  changed(): void
  /** The source stopped on its own; listeners withdraw it. */
  fail(reason: string): void
  /** A new start; pass the token to `live` after every await. */
  begin(): number
  /** Whether the start with `token` is still the current one (no stop came since). */
  live(token: number): boolean
  /** Forget readings and invalidate the current start. */
  reset(): void
}

export function sourceKit(): SourceKit {
  const latest = new Map<string, Sample>()
  const samples = new Set<(s: Sample) => void>()
  const changes = new Set<() => void>()
  const failures = new Set<(reason: string) => void>()
  let token = 0
  const add = <F>(set: Set<F>, fn: F): (() => void) => {
    set.add(fn)
    return () => set.delete(fn)
  }
  return {
    read: (sensor) => latest.get(sensor),
    subscribe: (fn) => add(samples, fn),
    onChange: (fn) => add(changes, fn),
    onFailure: (fn) => add(failures, fn),
    publish(sample) {
      latest.set(sample.sensor, sample)
      for (const fn of samples) fn(sample)
    },
    changed() {
      for (const fn of changes) fn()
    },
    fail(reason) {
      for (const fn of [...failures]) fn(reason)
    },
    begin: () => (token += 1),
    live: (t) => t === token,
    reset() {
      token += 1
      latest.clear()
    }
  }
}

/** A DOMException-like error for a start that a stop overtook. */
export function abandoned(): Error {
  const err = new Error('stopped while starting')
  err.name = 'AbortError'
  return err
}
