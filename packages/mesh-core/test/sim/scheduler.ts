/** One scheduled step of the simulation. */
interface SimEvent {
  at: number
  seq: number
  /** Whose event it is: dropped when that peer is dead by then. */
  owner: string | undefined
  run(): void
}

/** Let every pending microtask (promise continuation) run before the next event. */
function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * Virtual time: an event queue ordered by time, then by insertion. Events run one at a
 * time and the microtasks they cause are drained before the next one, so a run depends
 * only on the seed. Every run is bounded in events.
 */
export class Scheduler {
  now = 0
  /** Events run so far. */
  steps = 0
  private seq = 0
  private readonly queue: SimEvent[] = []

  constructor(private readonly isAlive: (peer: string) => boolean = () => true) {}

  get pending(): number {
    return this.queue.length
  }

  /** Run `fn` at virtual time `at` (not before now). */
  at(at: number, fn: () => void, owner?: string): void {
    const e: SimEvent = { at: Math.max(at, this.now), seq: this.seq++, owner, run: fn }
    // Binary search for the first event that sorts after e (time, then insertion).
    let lo = 0
    let hi = this.queue.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const m = this.queue[mid] as SimEvent
      if (m.at < e.at || (m.at === e.at && m.seq < e.seq)) lo = mid + 1
      else hi = mid
    }
    this.queue.splice(lo, 0, e)
  }

  after(delay: number, fn: () => void, owner?: string): void {
    this.at(this.now + delay, fn, owner)
  }

  /** A promise that resolves `ms` of virtual time from now, unless `owner` is dead by then. */
  sleep(ms: number, owner?: string): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve, owner))
  }

  /** Run one event (after draining microtasks). False when the queue is empty. */
  async step(): Promise<boolean> {
    await drain()
    const e = this.queue.shift()
    if (e === undefined) return false
    this.now = e.at
    this.steps++
    if (e.owner === undefined || this.isAlive(e.owner)) e.run()
    await drain()
    return true
  }

  /** Run until nothing is scheduled. Throws after `maxEvents` (a livelock). */
  async run(maxEvents = 20_000): Promise<void> {
    for (let i = 0; i < maxEvents; i++) if (!(await this.step())) return
    throw new Error(`the simulation did not settle within ${maxEvents} events (t=${this.now})`)
  }

  /** Run until `cond()` holds (checked between events). Throws if the queue empties first or after `maxEvents`. */
  async runUntil(cond: () => boolean, what: string, maxEvents = 20_000): Promise<void> {
    for (let i = 0; i < maxEvents; i++) {
      await drain()
      if (cond()) return
      if (!(await this.step())) {
        await drain()
        if (cond()) return
        throw new Error(`${what}: never happened; the simulation settled at t=${this.now}`)
      }
    }
    throw new Error(`${what}: not within ${maxEvents} events (t=${this.now})`)
  }

  /** Run the events due up to `now + ms` (later ones stay queued). */
  async advance(ms: number, maxEvents = 20_000): Promise<void> {
    const until = this.now + ms
    for (let i = 0; i < maxEvents; i++) {
      await drain()
      const next = this.queue[0]
      if (next === undefined || next.at > until) {
        this.now = until
        return
      }
      await this.step()
    }
    throw new Error(`advance(${ms}): more than ${maxEvents} events (t=${this.now})`)
  }
}
