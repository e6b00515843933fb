import type { Capabilities } from 'mesh-core'
import { SensorError } from './source.ts'
import type { Reading, SensorInfo, Source, SourceLog, SourceTask } from './source.ts'

/** How long the hub waits for more changes before it re-advertises once for all of them. */
export const CHANGE_COALESCE_MS = 50

/** A sensor with the source that reads it. */
export interface HubSensor extends SensorInfo {
  source: string
}

/**
 * Every source of one bridge together: their capabilities merged (later sources over
 * earlier ones, the config's static capabilities over all), their sensors by id, the tasks
 * external drivers offer, and one coalesced `onChange` when any of them changed.
 */
export class SourceHub {
  private timer: ReturnType<typeof setTimeout> | undefined
  private stopped = false
  /** Sources whose last start or read failed outright, by name. */
  readonly failed = new Map<string, string>()

  constructor(
    readonly sources: Source[],
    private readonly log: SourceLog,
    private readonly onChange: () => void
  ) {}

  /** Start every source; one that fails to start is logged and left out, the rest run. */
  async start(): Promise<void> {
    await Promise.all(
      this.sources.map(async (s) => {
        try {
          await s.start(() => this.changed())
        } catch (err) {
          this.failed.set(s.name, (err as Error).message)
          this.log('error', 'source failed to start', { source: s.name, error: (err as Error).message })
        }
      })
    )
  }

  private changed(): void {
    if (this.stopped || this.timer !== undefined) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      if (!this.stopped) this.onChange()
    }, CHANGE_COALESCE_MS)
  }

  capabilities(): Capabilities {
    const caps: Capabilities = {}
    for (const s of this.sources) {
      try {
        Object.assign(caps, s.capabilities())
      } catch (err) {
        this.log('warn', 'source capabilities failed', { source: s.name, error: (err as Error).message })
      }
    }
    return caps
  }

  sensors(): HubSensor[] {
    const out: HubSensor[] = []
    const seen = new Set<string>()
    for (const s of this.sources) {
      for (const info of s.sensors()) {
        if (seen.has(info.id)) continue
        seen.add(info.id)
        out.push({ ...info, source: s.name })
      }
    }
    return out
  }

  private owner(sensor: string): Source | undefined {
    return this.sources.find((s) => s.sensors().some((i) => i.id === sensor))
  }

  /** Read one sensor by id; rejects with `SensorError('NOT_FOUND')` for an unknown id. */
  async read(sensor: string, signal?: AbortSignal): Promise<Reading> {
    const source = this.owner(sensor)
    if (source === undefined) throw new SensorError(`no sensor "${sensor}" on this device`, 'NOT_FOUND')
    return source.read(sensor, signal)
  }

  /** The tasks external drivers offer now, by name (the first driver to offer a name wins). */
  tasks(): Map<string, { source: string; run: SourceTask }> {
    const out = new Map<string, { source: string; run: SourceTask }>()
    for (const s of this.sources)
      for (const [name, run] of Object.entries(s.tasks?.() ?? {}))
        if (!out.has(name)) out.set(name, { source: s.name, run })
    return out
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    await Promise.all(this.sources.map((s) => s.stop().catch(() => {})))
  }
}
