/** What the in-process and the multi-process propagation benches share. */
import type { HealthOptions } from 'mesh-core'

export interface Case {
  /** Node devices; one relay comes on top. */
  n: number
  /** Measured runs of each kind (record, raw gossip), or as many as fit in a window. */
  runs: number | { windowMs: number; minRuns: number }
  /** Direct links per device, when not the mesh's default. */
  maxDirectPeers?: number
  /** How long starting and settling may take before the case gives up. */
  settleBudgetMs: number
  /**
   * Worker processes that carry the devices (fleet-worker.ts); the relay and the
   * advertiser stay in the bench process. Absent: everything in the bench process.
   */
  processes?: number
  /** Devices started per round (across all workers), each round online before the next. */
  startRound?: number
  /**
   * When the fleet counts as settled: every peer sees every other healthy (the default),
   * or every peer knows every other (its registry view is complete, whatever the health).
   */
  settleBy?: 'health' | 'registry'
}

/** The table's case label: the size and how it ran. */
export function caseLabel(c: Case): string {
  return c.processes === undefined ? `N = ${c.n} (in-process)` : `N = ${c.n} (${c.processes} processes)`
}

const WINDOW_MAX_RUNS = 1_000
/** Unmeasured runs of each kind first: the raw topic's gossipsub mesh forms on them. */
export const WARMUP_RUNS = 3
/** Up to this size, peers run with the mesh's default health settings. */
const DEFAULT_HEALTH_UP_TO = 10
export const RUN_DEADLINE_MS = 15_000
/** Runs that miss RUN_DEADLINE_MS before a case gives up. */
const MAX_INCOMPLETE = 3
export const RAW_TOPIC = 'bench/raw'

/**
 * The bench carries every peer's background traffic on one machine: heartbeats (each a
 * signed record every peer verifies) and pings grow as N² here, while a real device
 * carries 1/N of it. Past DEFAULT_HEALTH_UP_TO the intervals, and the silences that count
 * as a failure, grow by (N / 10)², so the machine carries about the background load of
 * 10 peers with the defaults. Anti-entropy runs every second instead, so peers still
 * learn of each other fast (a digest exchange that finds nothing new costs no signature
 * checks). The same relaxation applies whether the fleet runs in one process or several:
 * the cores are the same two either way.
 */
export function healthFor(n: number): HealthOptions | undefined {
  if (n <= DEFAULT_HEALTH_UP_TO) return undefined
  const f = (n / DEFAULT_HEALTH_UP_TO) ** 2
  return {
    heartbeatIntervalMs: 1_000 * f,
    pingIntervalMs: 2_000 * f,
    suspectAfterMs: 3_000 * f,
    downAfterMs: 8_000 * f,
    lostGraceMs: 2_000 * f,
    antiEntropyIntervalMs: 1_000
  }
}

export function describeHealth(h: HealthOptions | undefined): string {
  if (h === undefined) return 'mesh defaults'
  const s = (ms: number | undefined): string => `${Number(((ms ?? 0) / 1_000).toPrecision(2))} s`
  return (
    `relaxed so one machine can carry N² background traffic: heartbeat ${s(h.heartbeatIntervalMs)}, ` +
    `ping ${s(h.pingIntervalMs)}, suspect ${s(h.suspectAfterMs)}, down ${s(h.downAfterMs)}, ` +
    `lost grace ${s(h.lostGraceMs)}, anti-entropy ${s(h.antiEntropyIntervalMs)}`
  )
}

/** One advertiser and every other peer listening: a measured fan-out of each kind. */
export interface Fan {
  /** advertise({ seq }) until every receiver emitted capabilities:change with it; ms. */
  record(seq: number): Promise<number>
  /** A raw gossipsub publish of `bytes` until every receiver's message event; ms. */
  raw(tag: number, bytes: number): Promise<number>
}

/** The measured runs, interleaved so both kinds see the same background. */
export async function measure(
  c: Case,
  fan: Fan,
  firstSeq: number,
  bytes: number
): Promise<{ rec: number[]; raw: number[]; incomplete: number }> {
  const rec: number[] = []
  const raw: number[] = []
  let seq = firstSeq
  let incomplete = 0
  const window = typeof c.runs === 'number' ? undefined : c.runs
  const end = performance.now() + (window?.windowMs ?? 0)
  for (let i = 0; i < (window === undefined ? (c.runs as number) : WINDOW_MAX_RUNS); i++) {
    if (window !== undefined && i >= window.minRuns && performance.now() > end) break
    for (const kind of ['record', 'raw'] as const) {
      try {
        if (kind === 'record') rec.push(await fan.record(++seq))
        else raw.push(await fan.raw(++seq, bytes))
      } catch (err) {
        if (++incomplete > MAX_INCOMPLETE) throw err
        console.warn(`  N = ${c.n}: ${(err as Error).message}`)
      }
    }
  }
  return { rec, raw, incomplete }
}

/**
 * Unmeasured runs of one kind, from `seq` on; a run that misses its deadline is counted,
 * not fatal, up to MAX_INCOMPLETE. Returns the last seq used and the misses.
 */
export async function warmUp(
  c: Case,
  fan: Fan,
  kind: 'record' | 'raw',
  seq: number,
  bytes = 0
): Promise<{ seq: number; missed: number }> {
  let missed = 0
  for (let i = 0; i < WARMUP_RUNS; i++) {
    try {
      if (kind === 'record') await fan.record(++seq)
      else await fan.raw(++seq, bytes)
    } catch (err) {
      if (++missed > MAX_INCOMPLETE) throw err
      console.warn(`  N = ${c.n}: warm-up: ${(err as Error).message}`)
    }
  }
  return { seq, missed }
}
