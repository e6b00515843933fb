import type { Capabilities } from 'mesh-core'
import { SensorError } from '../source.ts'
import type { Reading, SensorInfo, Source, SourceLog } from '../source.ts'
import { FileReader } from './files.ts'

/** What every built-in source accepts. */
export interface SourceInit {
  /** The file-system root that `/proc`, `/sys` and `/dev` are read under; tests point it at a fake tree. @default '/' */
  root?: string
  /** Where broken files and failed polls are reported (each once). @default a no-op */
  log?: SourceLog
  /** How often the source re-reads its files to notice changed capabilities or sensors. @default per source, see constants.ts */
  sampleMs?: number
}

/** A built-in source: a `Source` whose polling can also be driven by hand. */
export interface PolledSource extends Source {
  /**
   * Re-read the files now. Resolves to `true` when the capabilities or the sensor list changed,
   * in which case the `changed` callback given to `start()` (if started) has been called. Never rejects.
   */
  poll(): Promise<boolean>
}

/** One scan's outcome: what to advertise and which sensors exist. */
export interface Snapshot {
  capabilities: Capabilities
  sensors: SensorInfo[]
}

/** What a concrete source supplies to `polledSource`. */
export interface SourceHooks {
  /** Read the files and describe what is there. Expected not to throw; if it does, the old snapshot stays. */
  scan(files: FileReader): Promise<Snapshot>
  /** Read one sensor that the last snapshot listed. Rejects with `SensorError`. */
  read(sensor: SensorInfo, files: FileReader, signal?: AbortSignal): Promise<Reading>
}

const noLog: SourceLog = () => {}

function stableKey(snapshot: Snapshot): string {
  const caps = Object.keys(snapshot.capabilities)
    .sort()
    .map((k) => [k, snapshot.capabilities[k]])
  const sensors = snapshot.sensors.map((s) => [s.id, s.kind, s.unit ?? null])
  return JSON.stringify([caps, sensors])
}

class Polled implements PolledSource {
  private snapshot: Snapshot = { capabilities: {}, sensors: [] }
  private key = stableKey(this.snapshot)
  private timer: ReturnType<typeof setInterval> | undefined
  private changed: (() => void) | undefined
  private inFlight: Promise<boolean> | undefined
  private lastError: string | undefined
  private readonly files: FileReader

  constructor(
    readonly name: string,
    private readonly sampleMs: number,
    private readonly hooks: SourceHooks,
    private readonly log: SourceLog
  ) {
    this.files = new FileReader(name, log)
  }

  async start(changed: () => void): Promise<void> {
    await this.poll()
    this.changed = changed
    if (this.timer !== undefined) return
    this.timer = setInterval(() => void this.poll(), this.sampleMs)
    this.timer.unref()
  }

  stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    this.changed = undefined
    return Promise.resolve()
  }

  capabilities(): Capabilities {
    return { ...this.snapshot.capabilities }
  }

  sensors(): SensorInfo[] {
    return this.snapshot.sensors.map((s) => ({ ...s }))
  }

  async read(sensor: string, signal?: AbortSignal): Promise<Reading> {
    const info = this.snapshot.sensors.find((s) => s.id === sensor)
    if (info === undefined) throw new SensorError(`${this.name}: no sensor "${sensor}"`, 'NOT_FOUND')
    signal?.throwIfAborted()
    return this.hooks.read(info, this.files, signal)
  }

  poll(): Promise<boolean> {
    // Overlapping polls (a slow file system, a hand-driven poll during a timer one) share one scan.
    this.inFlight ??= this.scanOnce().finally(() => (this.inFlight = undefined))
    return this.inFlight
  }

  private async scanOnce(): Promise<boolean> {
    let next: Snapshot
    try {
      next = await this.hooks.scan(this.files)
    } catch (err) {
      // A bug, not a broken file: report each distinct one once, keep the last good snapshot.
      if (String(err) !== this.lastError)
        this.log('error', `${this.name}: scan failed`, { error: String(err) })
      this.lastError = String(err)
      return false
    }
    this.lastError = undefined
    const key = stableKey(next)
    this.snapshot = next
    if (key === this.key) return false
    this.key = key
    try {
      this.changed?.()
    } catch (err) {
      this.log('error', `${this.name}: changed() threw`, { source: this.name, error: String(err) })
    }
    return true
  }
}

/** Builds a source that scans on `start()`, then every `sampleMs`, and reports only real changes. */
export function polledSource(
  name: string,
  init: SourceInit,
  defaultSampleMs: number,
  hooks: SourceHooks
): PolledSource {
  return new Polled(name, init.sampleMs ?? defaultSampleMs, hooks, init.log ?? noLog)
}

/** A `Reading` stamped now, with `unit` only when there is one (exactOptionalPropertyTypes). */
export function reading(sensor: SensorInfo, value: Reading['value']): Reading {
  return sensor.unit === undefined
    ? { sensor: sensor.id, value, at: Date.now() }
    : { sensor: sensor.id, value, unit: sensor.unit, at: Date.now() }
}

/** Rejects a read whose file is gone or broken. */
export function unavailable(source: string, sensor: string, path: string): SensorError {
  return new SensorError(`${source}: cannot read ${sensor} from ${path}`, 'UNAVAILABLE')
}

/** Reads one number for `read()`: absent or unreadable → `UNAVAILABLE`, garbage → `BAD_VALUE`. */
export async function readNumber(
  files: FileReader,
  source: string,
  sensor: string,
  path: string,
  signal?: AbortSignal
): Promise<number> {
  const text = await files.text(path, signal)
  if (text === undefined) throw unavailable(source, sensor, path)
  const value = files.numberIn(path, text)
  if (value === undefined) {
    throw new SensorError(`${source}: ${path} does not hold a number`, 'BAD_VALUE')
  }
  return value
}
