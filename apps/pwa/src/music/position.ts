/**
 * Position math. A playing session is anchored: `beat` sounds at wall-clock time
 * `anchorAt` (the shared clock, `performance.timeOrigin + performance.now()`), and the
 * position moves on at `msPerBeat`. A paused session stays at `beat`.
 */

export interface Timing {
  beat: number
  anchorAt: number
  msPerBeat: number
}

export const minTempo = 50
export const maxTempo = 200
export const defaultTempo = 100
export const tempoStep = 10
export const beatsPerBar = 4

/** Milliseconds per beat for a track's `bpm` played at `tempo` percent. */
export function msPerBeat(bpm: number, tempo: number): number {
  return 60_000 / ((bpm * tempo) / 100)
}

/** The beat sounding at wall-clock time `wall`. */
export function beatAt(t: Timing, wall: number): number {
  return t.beat + (wall - t.anchorAt) / t.msPerBeat
}

/** When beat `beat` sounds. */
export function wallAt(t: Timing, beat: number): number {
  return t.anchorAt + (beat - t.beat) * t.msPerBeat
}

/**
 * The position at `wall`, never past `lengthBeats`. Before the anchor (a start scheduled a
 * few ms ahead) it is the anchor's beat: the position never runs backwards.
 */
export function positionAt(t: Timing & { playing: boolean }, wall: number, lengthBeats: number): number {
  const beat = t.playing ? Math.max(t.beat, beatAt(t, wall)) : t.beat
  return Math.min(lengthBeats, Math.max(0, beat))
}

/** A tempo clamped to the allowed range and rounded to a whole percent. */
export function clampTempo(tempo: number): number {
  if (!Number.isFinite(tempo)) return defaultTempo
  return Math.min(maxTempo, Math.max(minTempo, Math.round(tempo)))
}

/** `m:ss` for a duration in milliseconds. */
export function formatClock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1_000))
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

/** The shared wall clock, in ms with sub-ms resolution. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now()
}
