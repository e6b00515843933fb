/**
 * A fleet of Node devices spread over worker processes (fleet-worker.ts), for sizes one
 * event loop cannot carry. The bench keeps the relay (and whatever else it needs) in its
 * own process and drives the workers over IPC. Workers are stopped by pid: SIGTERM, then
 * SIGKILL after a bounded wait, also when the bench fails or exits.
 */
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { parseFromWorker, parseLoad, parseNumber, parseStatus, parseStrings } from './fleet-protocol.ts'
import type { FromWorker, Load, Status, ToWorker, WorkerTuning } from './fleet-protocol.ts'
import { wallNow } from './raw-payload.ts'

const SCRIPT = new URL('./fleet-worker.js', import.meta.url)
const READY_DEADLINE_MS = 30_000
const TERM_GRACE_MS = 5_000
const KILL_GRACE_MS = 5_000
const CLOCK_SAMPLES = 5

/** A command without its id (the id is the channel's). */
export type Command = ToWorker extends infer T ? (T extends ToWorker ? Omit<T, 'id'> : never) : never
export type Arrived = Extract<FromWorker, { type: 'arrived' }>

/** Every worker still alive, so an exiting bench can SIGKILL what it leaves behind. */
const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const c of live) if (c.pid !== undefined) c.kill('SIGKILL')
})

function gone(c: ChildProcess): boolean {
  return c.exitCode !== null || c.signalCode !== null
}

/** One worker process and its request/reply channel. */
export class FleetWorker {
  readonly pid: number
  /** The peer ids of its devices, in start order. */
  readonly peerIds: string[] = []
  onArrived: (msg: Arrived) => void = () => {}
  private nextId = 1
  private readonly waiting = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }
  >()
  private readonly exited: Promise<void>

  private constructor(
    private readonly child: ChildProcess,
    readonly index: number
  ) {
    this.pid = child.pid ?? -1
    this.exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.on('message', (raw: unknown) => this.onMessage(raw))
    child.once('exit', (code, signal) => {
      live.delete(child)
      for (const [id, w] of this.waiting) {
        clearTimeout(w.timer)
        w.reject(new Error(`fleet worker ${this.pid} exited (${code ?? signal}) before reply ${id}`))
      }
      this.waiting.clear()
    })
  }

  /** Fork a worker and wait until it says it is ready. `execArgv` e.g. for --cpu-prof. */
  static async start(index: number, execArgv: string[] = []): Promise<FleetWorker> {
    const child = fork(SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv })
    live.add(child)
    const w = new FleetWorker(child, index)
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`fleet worker ${w.pid} not ready in ${READY_DEADLINE_MS} ms`)),
          READY_DEADLINE_MS
        )
        child.once('exit', (code) => reject(new Error(`fleet worker ${w.pid} exited (${code}) at start`)))
        child.once('message', () => {
          clearTimeout(timer)
          resolve()
        })
      })
    } catch (err) {
      await w.stop()
      throw err
    }
    return w
  }

  private onMessage(raw: unknown): void {
    let msg: FromWorker
    try {
      msg = parseFromWorker(raw)
    } catch (err) {
      console.error(`bench: fleet worker ${this.pid}: ${(err as Error).message}`)
      return
    }
    if (msg.type === 'arrived') this.onArrived(msg)
    if (msg.type !== 'reply') return
    const w = this.waiting.get(msg.id)
    if (w === undefined) return
    this.waiting.delete(msg.id)
    clearTimeout(w.timer)
    if (msg.ok) w.resolve(msg.value)
    else w.reject(new Error(`fleet worker ${this.pid}: ${msg.message}`))
  }

  /** Send a command; rejects when no reply comes within `ms` or the worker dies. */
  request(cmd: Command, ms: number): Promise<unknown> {
    if (gone(this.child)) return Promise.reject(new Error(`fleet worker ${this.pid} is gone`))
    const id = this.nextId++
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id)
        reject(new Error(`fleet worker ${this.pid}: no reply to ${cmd.type} within ${ms} ms`))
      }, ms)
      this.waiting.set(id, { resolve, reject, timer })
      this.child.send({ ...cmd, id })
    })
  }

  private async waitExit(ms: number): Promise<boolean> {
    if (gone(this.child)) return true
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
    const ok = await Promise.race([this.exited.then(() => true), late])
    clearTimeout(timer)
    return ok
  }

  /** SIGTERM by pid, SIGKILL when it is still there after TERM_GRACE_MS. */
  async stop(): Promise<void> {
    if (gone(this.child) || this.pid < 0) return
    const signal = (s: NodeJS.Signals): void => {
      try {
        process.kill(this.pid, s)
      } catch {
        // Already gone.
      }
    }
    signal('SIGTERM')
    if (await this.waitExit(TERM_GRACE_MS)) return
    console.warn(`bench: fleet worker ${this.pid} ignored SIGTERM; SIGKILL`)
    signal('SIGKILL')
    if (!(await this.waitExit(KILL_GRACE_MS)))
      console.error(`bench: fleet worker ${this.pid} survived SIGKILL`)
  }
}

export interface GrowOptions {
  total: number
  prefix: string
  bootstrap: string[]
  tuning: WorkerTuning
  /** Devices started per round across all workers; each round online before the next. */
  round: number
  deadlineMs: number
  onRound?(online: number): void
  /** Waited for after each round (e.g. for the fleet to calm down); must be bounded. */
  afterRound?(): Promise<void>
}

/** Devices of a fleet summed over its workers. */
export interface FleetStatus {
  devices: number
  /** Devices that know every other member of the fleet. */
  knowAll: number
  /** Devices that see every other member healthy. */
  healthyAll: number
  minKnown: number
  minHealthy: number
  meanDirect: number
  leaves: number
  unhealthy: number
}

/** The workers of one fleet. */
export class WorkerFleet {
  private constructor(readonly workers: FleetWorker[]) {}

  static async start(processes: number, execArgv: string[] = []): Promise<WorkerFleet> {
    const started = await Promise.allSettled(
      Array.from({ length: processes }, (_, i) => FleetWorker.start(i, execArgv))
    )
    const workers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
    const failed = started.find((r) => r.status === 'rejected')
    if (failed !== undefined) {
      await Promise.all(workers.map((w) => w.stop()))
      throw failed.reason
    }
    return new WorkerFleet(workers)
  }

  get pids(): number[] {
    return this.workers.map((w) => w.pid)
  }

  get devices(): number {
    return this.workers.reduce((n, w) => n + w.peerIds.length, 0)
  }

  get peerIds(): string[] {
    return this.workers.flatMap((w) => w.peerIds)
  }

  /** The same command to every worker, in parallel. */
  all(cmd: Command, ms: number): Promise<unknown[]> {
    return Promise.all(this.workers.map((w) => w.request(cmd, ms)))
  }

  /** Start `total` devices, `round` at a time spread over the workers, each round online first. */
  async grow(o: GrowOptions): Promise<void> {
    const end = Date.now() + o.deadlineMs
    let next = 0
    // Bounded: every round starts at least one device.
    for (let rounds = 0; next < o.total && rounds < o.total; rounds++) {
      const size = Math.min(o.round, o.total - next)
      const share = this.workers.map((_, i) =>
        Array.from({
          length: Math.floor(size / this.workers.length) + (i < size % this.workers.length ? 1 : 0)
        })
          .fill('')
          .map(() => `${o.prefix}-${next++}`)
      )
      const left = end - Date.now()
      if (left <= 0)
        throw new Error(`only ${this.devices} of ${o.total} devices online in ${o.deadlineMs} ms`)
      await Promise.all(
        this.workers.map(async (w, i) => {
          const names = share[i] ?? []
          if (names.length === 0) return
          const cmd: Command = {
            type: 'grow',
            names,
            bootstrap: o.bootstrap,
            tuning: o.tuning,
            deadlineMs: left
          }
          w.peerIds.push(...parseStrings(await w.request(cmd, left + 5_000)))
        })
      ).catch((err: unknown) => {
        throw new Error(`only ${this.devices} of ${o.total} devices online: ${(err as Error).message}`, {
          cause: err
        })
      })
      o.onRound?.(this.devices)
      await o.afterRound?.()
    }
  }

  /** What every device of every worker sees of the fleet (`members` ids, themselves included). */
  async status(members: number, ms: number): Promise<FleetStatus> {
    const all = (await this.all({ type: 'status' }, ms)).map(parseStatus)
    const s: Status = { known: [], healthy: [], direct: [], leaves: 0, unhealthy: 0 }
    for (const x of all) {
      s.known.push(...x.known)
      s.healthy.push(...x.healthy)
      s.direct.push(...x.direct)
      s.leaves += x.leaves
      s.unhealthy += x.unhealthy
    }
    const want = members - 1
    return {
      devices: s.known.length,
      knowAll: s.known.filter((k) => k >= want).length,
      healthyAll: s.healthy.filter((k) => k >= want).length,
      minKnown: Math.min(...s.known),
      minHealthy: Math.min(...s.healthy),
      meanDirect: s.direct.reduce((a, b) => a + b, 0) / Math.max(1, s.direct.length),
      leaves: s.leaves,
      unhealthy: s.unhealthy
    }
  }

  /** Each worker's event-loop delay and CPU since the last reset. */
  async load(reset: boolean, ms: number): Promise<Load[]> {
    return (await this.all({ type: 'load', reset }, ms)).map(parseLoad)
  }

  /**
   * How far each worker's wall clock is from ours: of CLOCK_SAMPLES round trips the
   * quickest, offset = theirs − the midpoint of ours. Returns the largest |offset| and
   * the round trip it came with (the offset is known to within half of that).
   */
  async clockSkew(ms: number): Promise<{ offsetMs: number; rttMs: number }> {
    let worst = { offsetMs: 0, rttMs: 0 }
    for (const w of this.workers) {
      let best = { offsetMs: 0, rttMs: Number.POSITIVE_INFINITY }
      for (let i = 0; i < CLOCK_SAMPLES; i++) {
        const t0 = wallNow()
        const theirs = parseNumber(await w.request({ type: 'clock' }, ms))
        const t1 = wallNow()
        if (t1 - t0 < best.rttMs) best = { offsetMs: theirs - (t0 + t1) / 2, rttMs: t1 - t0 }
      }
      if (Math.abs(best.offsetMs) >= Math.abs(worst.offsetMs)) worst = best
    }
    return worst
  }

  /** Stop every worker by pid (SIGTERM, then SIGKILL), in parallel; never throws. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.stop()))
  }
}

/** e.g. `event-loop delay p99 40–120 ms (max 900 ms), CPU 0.3–0.5 cores each` */
export function describeLoads(loads: Load[]): string {
  if (loads.length === 0) return 'no workers'
  const range = (xs: number[], digits: number): string => {
    const lo = Math.min(...xs).toFixed(digits)
    const hi = Math.max(...xs).toFixed(digits)
    return lo === hi ? lo : `${lo}–${hi}`
  }
  return (
    `event-loop delay p99 ${range(
      loads.map((l) => l.lagP99Ms),
      0
    )} ms (max ${Math.max(...loads.map((l) => l.lagMaxMs)).toFixed(0)} ms), ` +
    `CPU ${range(
      loads.map((l) => l.cores),
      2
    )} cores each`
  )
}
