import { fileURLToPath } from 'node:url'
import { driverSource } from '../../src/drivers/index.ts'
import type {
  DriverClock,
  DriverEventName,
  DriverEvents,
  DriverInit,
  DriverSource
} from '../../src/drivers/index.ts'

export const FAKE_DRIVER = fileURLToPath(new URL('./fixtures/fake-driver.mjs', import.meta.url))
export const EXAMPLES = fileURLToPath(new URL('../../examples/drivers/', import.meta.url))

const eventNames: DriverEventName[] = [
  'spawn',
  'up',
  'down',
  'restart',
  'garbage',
  'sample',
  'capabilities',
  'late-reply'
]
/** No single wait in these tests should come near this. */
const deadlineMs = 10_000

/**
 * Real timers, except that timers of the `held` delays only run when the test fires
 * them, and `now()` can be moved forward: timeouts and stability windows without sleeping.
 */
export class TestClock implements DriverClock {
  offsetMs = 0
  private nextId = 1
  private readonly timers = new Map<
    number,
    { fn: () => void; ms: number; real?: ReturnType<typeof setTimeout> }
  >()

  constructor(private readonly held: number[] = []) {}

  now(): number {
    return Date.now() + this.offsetMs
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++
    const timer: { fn: () => void; ms: number; real?: ReturnType<typeof setTimeout> } = { fn, ms }
    if (!this.held.includes(ms)) {
      timer.real = setTimeout(() => {
        this.timers.delete(id)
        fn()
      }, ms)
    }
    this.timers.set(id, timer)
    return id
  }

  clearTimeout(handle: unknown): void {
    const timer = this.timers.get(handle as number)
    if (timer?.real !== undefined) clearTimeout(timer.real)
    this.timers.delete(handle as number)
  }

  /** Run every held timer of `ms` now; returns how many ran. */
  fire(ms: number): number {
    const due = [...this.timers].filter(([, t]) => t.ms === ms && t.real === undefined)
    for (const [id, timer] of due) {
      this.timers.delete(id)
      timer.fn()
    }
    return due.length
  }

  /** Timers still armed (restarts, timeouts, hello deadlines). */
  get pending(): number {
    return this.timers.size
  }
}

export interface LogLine {
  level: 'info' | 'warn' | 'error'
  msg: string
  fields: Record<string, unknown> | undefined
}

interface Recorded {
  event: DriverEventName
  data: unknown
}

/** One driver source under test, with its log, its events and its `changed()` calls. */
export class Harness implements AsyncDisposable {
  readonly logs: LogLine[] = []
  readonly events: Recorded[] = []
  changes = 0
  readonly source: DriverSource
  private readonly waiters = new Set<() => void>()

  constructor(init: Partial<DriverInit> & { flags?: string[] }, clock?: DriverClock) {
    const { flags = [], ...rest } = init
    this.source = driverSource(
      {
        name: 'fake',
        command: process.execPath,
        args: [FAKE_DRIVER, ...flags],
        restart: { initialMs: 5 },
        ...rest
      },
      {
        log: (level, msg, fields) => {
          this.logs.push({ level, msg, fields })
          this.wake()
        },
        ...(clock !== undefined ? { clock } : {})
      }
    )
    for (const event of eventNames) {
      this.source.on(event, (data: unknown) => {
        this.events.push({ event, data })
        this.wake()
      })
    }
  }

  /** Start and wait until the driver said hello. */
  async up(): Promise<this> {
    await this.source.start(() => this.changes++)
    await this.nth('up', 1)
    return this
  }

  count(event: DriverEventName): number {
    return this.events.filter((e) => e.event === event).length
  }

  all<E extends DriverEventName>(event: E): DriverEvents[E][] {
    return this.events.filter((e) => e.event === event).map((e) => e.data as DriverEvents[E])
  }

  /** The `n`th `event` (1-based), waiting for it if need be. */
  async nth<E extends DriverEventName>(event: E, n: number): Promise<DriverEvents[E]> {
    await this.until(() => this.count(event) >= n, `${event} #${n}`)
    const found = this.all(event)[n - 1]
    if (found === undefined) throw new Error(`no ${event} #${n}`)
    return found
  }

  /** Wait for a condition on the log or events, with a deadline. */
  until(condition: () => boolean, what: string): Promise<void> {
    if (condition()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check)
        const seen = this.events.map((e) => e.event).join(', ')
        reject(new Error(`timed out waiting for ${what}; events so far: ${seen}`))
      }, deadlineMs)
      const check = (): void => {
        if (!condition()) return
        clearTimeout(timer)
        this.waiters.delete(check)
        resolve()
      }
      this.waiters.add(check)
    })
  }

  logged(pattern: RegExp): LogLine | undefined {
    return this.logs.find((l) => pattern.test(l.msg))
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.source.stop()
  }

  private wake(): void {
    for (const check of [...this.waiters]) check()
  }
}

/** Whether `pid` still names a live process. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Run a task the driver serves. */
export function call(
  source: DriverSource,
  task: string,
  args?: unknown,
  signal?: AbortSignal
): Promise<unknown> {
  const handler = source.tasks?.()[task]
  if (handler === undefined) throw new Error(`no task ${task}`)
  return handler(args, signal ?? new AbortController().signal)
}
