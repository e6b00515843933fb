/**
 * Between the AudioContext's clock and the shared wall clock
 * (`performance.timeOrigin + performance.now()`). `getOutputTimestamp()` says which
 * context time is leaving the speakers at which performance time, so a mapped time is
 * when a sound is actually heard, output latency included. Where it is missing or not
 * yet running, the current time plus the reported latency stands in.
 */
import { wallNow } from './position'

/** The parts of an AudioContext the mapping reads. */
export interface AudioClock {
  readonly currentTime: number
  readonly baseLatency?: number
  readonly outputLatency?: number
  getOutputTimestamp?(): AudioTimestamp
}

export interface ClockMap {
  /** The wall time (ms) context time `t` (s) is heard. */
  wallOf(t: number): number
  /** The context time (s) heard at wall time `wall` (ms). */
  ctxOf(wall: number): number
}

export function clockMap(ctx: AudioClock, timeOrigin = performance.timeOrigin, now = wallNow()): ClockMap {
  const ts = ctx.getOutputTimestamp?.()
  let offsetMs: number
  if (
    ts?.contextTime !== undefined &&
    ts.performanceTime !== undefined &&
    ts.performanceTime > 0 &&
    ts.contextTime > 0
  ) {
    offsetMs = timeOrigin + ts.performanceTime - ts.contextTime * 1_000
  } else {
    const latency = (ctx.outputLatency ?? 0) || (ctx.baseLatency ?? 0)
    offsetMs = now + latency * 1_000 - ctx.currentTime * 1_000
  }
  return { wallOf: (t) => offsetMs + t * 1_000, ctxOf: (wall) => (wall - offsetMs) / 1_000 }
}
