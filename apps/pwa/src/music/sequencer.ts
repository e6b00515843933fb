/**
 * The sequencer: which notes a track plays between two beats. Pure, so the Web Audio
 * engine only turns its notes into oscillators. A track is its preset's pattern of
 * eighth notes over two bars, repeated, over a pad that holds each bar's root: the pad
 * never rests, so sound is continuous and a handoff's silence is measurable.
 */
import { beatsPerBar } from './position'
import type { PresetId, Track } from './tracks'

export const stepsPerBeat = 2
export type Voice = 'lead' | 'pad'
export type Wave = 'sine' | 'square' | 'sawtooth' | 'triangle'

export interface Note {
  /** The beat it starts on, from the start of the track. */
  beat: number
  /** How long it lasts, in beats. */
  beats: number
  midi: number
  voice: Voice
}

export interface Pattern {
  /** One MIDI note (or a rest) per eighth note; 16 steps, two bars. */
  lead: ReadonlyArray<number | null>
  /** The pad's note per bar, cycling. */
  roots: readonly number[]
  wave: Wave
  /** How long a lead note lasts, in beats. */
  gate: number
}

const _ = null
export const patterns: Record<PresetId, Pattern> = {
  arp: {
    lead: [60, 64, 67, 72, 67, 64, 60, 64, 57, 60, 64, 69, 64, 60, 57, 60],
    roots: [48, 45],
    wave: 'triangle',
    gate: 0.45
  },
  pulse: {
    lead: [62, _, 62, 65, _, 69, 65, _, 60, _, 60, 64, _, 67, 64, _],
    roots: [50, 48],
    wave: 'square',
    gate: 0.3
  },
  bells: {
    lead: [76, _, 79, _, 84, _, 79, _, 74, _, 77, _, 81, _, 77, _],
    roots: [52, 50],
    wave: 'sine',
    gate: 0.9
  },
  walk: {
    lead: [40, 43, 45, 47, 48, 47, 45, 43, 38, 41, 43, 45, 47, 45, 43, 41],
    roots: [52, 50],
    wave: 'sawtooth',
    gate: 0.4
  }
}

export function lengthBeats(track: Pick<Track, 'bars'>): number {
  return track.bars * beatsPerBar
}

export function lengthMs(track: Pick<Track, 'bars'>, msPerBeat: number): number {
  return lengthBeats(track) * msPerBeat
}

const epsilon = 1e-9

/** Lead notes and bar pads that start in [from, to), within the track. */
export function notesBetween(track: Pick<Track, 'preset' | 'bars'>, from: number, to: number): Note[] {
  const p = patterns[track.preset]
  const end = Math.min(to, lengthBeats(track))
  const notes: Note[] = []
  for (let step = Math.max(0, Math.ceil(from * stepsPerBeat - epsilon)); step / stepsPerBeat < end; step++) {
    const beat = step / stepsPerBeat
    if (step % (beatsPerBar * stepsPerBeat) === 0) {
      const bar = step / (beatsPerBar * stepsPerBeat)
      notes.push({
        beat,
        beats: Math.min(beatsPerBar, lengthBeats(track) - beat),
        midi: padNote(p, bar),
        voice: 'pad'
      })
    }
    const midi = p.lead[step % p.lead.length]
    if (midi !== null && midi !== undefined) notes.push({ beat, beats: p.gate, midi, voice: 'lead' })
  }
  return notes
}

function padNote(p: Pattern, bar: number): number {
  return p.roots[bar % p.roots.length] ?? 48
}

/**
 * What to sound when playback starts at `beat` in the middle of a bar: the rest of that
 * bar's pad, so the first sound is at `beat` itself. Empty on a bar line (notesBetween
 * has that pad) and at the end.
 */
export function resumeNotes(track: Pick<Track, 'preset' | 'bars'>, beat: number): Note[] {
  const length = lengthBeats(track)
  if (beat < 0 || beat >= length) return []
  const bar = Math.floor(beat / beatsPerBar + epsilon)
  const barEnd = Math.min(length, (bar + 1) * beatsPerBar)
  if (Math.abs(beat - bar * beatsPerBar) < epsilon || barEnd - beat < epsilon) return []
  return [{ beat, beats: barEnd - beat, midi: padNote(patterns[track.preset], bar), voice: 'pad' }]
}

export function midiToHz(midi: number): number {
  return 440 * 2 ** ((midi - 69) / 12)
}
