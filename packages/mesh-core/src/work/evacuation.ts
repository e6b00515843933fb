import type { EvacuationOptions, EvacuationReason } from '../types.ts'

/** The policy with its defaults applied. */
export interface EvacuationPolicy {
  onStop: boolean
  onPageHide: boolean
  hiddenForMs: number | false
  batteryBelow: number | false
}

export const DEFAULT_EVACUATION: EvacuationPolicy = {
  onStop: true,
  onPageHide: true,
  hiddenForMs: 60_000,
  batteryBelow: 0.15
}

const OPTION_TYPES: Record<string, 'boolean' | 'number'> = {
  onStop: 'boolean',
  onPageHide: 'boolean',
  hiddenForMs: 'number',
  batteryBelow: 'number'
}

/** What is wrong with untrusted evacuation options (a config file, a URL), or undefined. */
function evacuationProblem(e: object): string | undefined {
  for (const [k, v] of Object.entries(e)) {
    const type = OPTION_TYPES[k]
    if (type === undefined) return `unknown evacuation option "${k}"`
    if (v !== undefined && typeof v !== type && !(type === 'number' && v === false))
      return `${k} is a ${type}${type === 'number' ? ' or false' : ''}`
  }
  const { hiddenForMs: hidden, batteryBelow: battery } = e as EvacuationOptions
  if (hidden !== undefined && hidden !== false && !(Number.isFinite(hidden) && hidden >= 0))
    return 'evacuate.hiddenForMs is a number of milliseconds ≥ 0, or false'
  if (battery !== undefined && battery !== false && !(battery > 0 && battery <= 1))
    return 'evacuate.batteryBelow is a fraction in (0, 1], or false'
  return undefined
}

/**
 * `evacuate` wins over the older `evacuateOnStop`; both default to on. Throws a
 * RangeError naming the option for an unknown option, a wrong type or a value out of range.
 */
export function evacuationPolicy(o: {
  evacuate?: EvacuationOptions
  evacuateOnStop?: boolean
}): EvacuationPolicy {
  const e = o.evacuate ?? {}
  const problem = evacuationProblem(e)
  if (problem !== undefined) throw new RangeError(problem)
  return {
    onStop: e.onStop ?? o.evacuateOnStop ?? DEFAULT_EVACUATION.onStop,
    onPageHide: e.onPageHide ?? DEFAULT_EVACUATION.onPageHide,
    hiddenForMs: e.hiddenForMs ?? DEFAULT_EVACUATION.hiddenForMs,
    batteryBelow: e.batteryBelow ?? DEFAULT_EVACUATION.batteryBelow
  }
}

export interface EvacuationTimers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(t: unknown): void
}

/**
 * When a peer should hand its actors away before it goes (issue 5's triggers): a page
 * being hidden for good (pagehide), a page hidden for a long time (mobile browsers
 * freeze and then discard such tabs), a battery running low while discharging. Stopping
 * (SIGTERM in mesh-bridge) is `stop()`'s own step. Each trigger fires at most once per
 * episode: a battery that stays low does not evacuate again until it has charged or
 * risen above the level; a page evacuates again only after it has been visible.
 */
export class Evacuation {
  private hiddenTimer: unknown
  private batteryFired = false
  private hiddenFired = false
  private running: Promise<number> | undefined

  constructor(
    readonly policy: EvacuationPolicy,
    private readonly run: (reason: EvacuationReason) => Promise<number>,
    private readonly timers: EvacuationTimers = {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (t) => clearTimeout(t as ReturnType<typeof setTimeout>)
    }
  ) {}

  /** The page is going away (pagehide): best effort, since the page may die mid-move. */
  pageHide(): Promise<number> | undefined {
    return this.policy.onPageHide ? this.start('pagehide') : undefined
  }

  /** The page became hidden (true) or visible (false). */
  hidden(hidden: boolean): void {
    this.timers.clearTimeout(this.hiddenTimer)
    this.hiddenTimer = undefined
    if (!hidden) {
      this.hiddenFired = false
      return
    }
    const ms = this.policy.hiddenForMs
    if (ms === false || this.hiddenFired) return
    this.hiddenTimer = this.timers.setTimeout(() => {
      this.hiddenTimer = undefined
      this.hiddenFired = true
      void this.start('hidden')
    }, ms)
  }

  /** A battery reading: `level` in [0, 1]. The evacuation it starts, if any. */
  battery(level: number, charging: boolean): Promise<number> | undefined {
    const below = this.policy.batteryBelow
    if (below === false || !Number.isFinite(level)) return undefined
    if (charging || level >= below) {
      this.batteryFired = false
      return undefined
    }
    if (this.batteryFired) return undefined
    this.batteryFired = true
    return this.start('battery')
  }

  stop(): void {
    this.timers.clearTimeout(this.hiddenTimer)
    this.hiddenTimer = undefined
  }

  /** One evacuation at a time; a trigger during one joins it. */
  private start(reason: EvacuationReason): Promise<number> {
    this.running ??= this.run(reason)
      .catch(() => 0)
      .finally(() => (this.running = undefined))
    return this.running
  }
}
