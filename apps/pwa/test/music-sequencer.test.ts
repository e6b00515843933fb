import { describe, expect, it } from 'vitest'
import { clockMap } from '../src/music/clock'
import {
  beatAt,
  clampTempo,
  formatClock,
  maxTempo,
  minTempo,
  msPerBeat,
  positionAt,
  wallAt
} from '../src/music/position'
import {
  lengthBeats,
  midiToHz,
  notesBetween,
  patterns,
  resumeNotes,
  stepsPerBeat
} from '../src/music/sequencer'

const track = { preset: 'arp' as const, bars: 4 }

describe('sequencer', () => {
  it('plays one lead note per eighth (arp has no rests) and a pad on each bar line', () => {
    const notes = notesBetween(track, 0, 4)
    expect(notes.filter((n) => n.voice === 'lead').map((n) => n.beat)).toEqual([
      0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5
    ])
    expect(notes.filter((n) => n.voice === 'pad')).toEqual([{ beat: 0, beats: 4, midi: 48, voice: 'pad' }])
    expect(notes[1]?.midi).toBe(patterns.arp.lead[0])
  })

  it('splits a span into windows without losing or repeating a note', () => {
    const whole = notesBetween(track, 0, 16)
    const edges = [0, 0.3, 0.5, 1.26, 2, 7.99, 8, 15.5, 16]
    const parts = edges.slice(1).flatMap((to, i) => notesBetween(track, edges[i] as number, to))
    expect(parts).toEqual(whole)
  })

  it('skips rests and stops at the end of the track', () => {
    const pulse = { preset: 'pulse' as const, bars: 4 }
    const lead = notesBetween(pulse, 0, 4).filter((n) => n.voice === 'lead')
    expect(lead.map((n) => n.beat)).toEqual([0, 1, 1.5, 2.5, 3])
    expect(notesBetween(track, 15.5, 100).map((n) => n.beat)).toEqual([15.5])
    expect(notesBetween(track, 16, 20)).toEqual([])
    expect(lengthBeats(track)).toBe(16)
  })

  it('on a resume mid-bar, sounds the rest of the bar pad at once', () => {
    expect(resumeNotes(track, 5.25)).toEqual([{ beat: 5.25, beats: 2.75, midi: 45, voice: 'pad' }])
    expect(resumeNotes(track, 4)).toEqual([])
    expect(resumeNotes(track, 16)).toEqual([])
    expect(resumeNotes(track, -1)).toEqual([])
  })

  it('tunes A4 to 440 Hz', () => {
    expect(midiToHz(69)).toBe(440)
    expect(midiToHz(81)).toBeCloseTo(880)
    expect(stepsPerBeat).toBe(2)
  })
})

describe('position', () => {
  const t = { beat: 10, anchorAt: 1_000, msPerBeat: 500 }

  it('moves on from the anchor at the tempo, and back again', () => {
    expect(msPerBeat(120, 100)).toBe(500)
    expect(msPerBeat(120, 200)).toBe(250)
    expect(beatAt(t, 2_000)).toBe(12)
    expect(wallAt(t, 12)).toBe(2_000)
    expect(beatAt(t, wallAt(t, 17.3))).toBeCloseTo(17.3)
  })

  it('stays put when paused, and within the track', () => {
    expect(positionAt({ ...t, playing: false }, 9_000, 64)).toBe(10)
    expect(positionAt({ ...t, playing: true }, 100_000, 64)).toBe(64)
    expect(positionAt({ ...t, beat: 0, playing: true }, 0, 64)).toBe(0)
    // A start scheduled ahead: until it sounds, the position is its beat, not before it.
    expect(positionAt({ ...t, playing: true }, 900, 64)).toBe(10)
  })

  it('clamps the tempo and formats the clock', () => {
    expect(clampTempo(1)).toBe(minTempo)
    expect(clampTempo(1e9)).toBe(maxTempo)
    expect(clampTempo(Number.NaN)).toBe(100)
    expect(clampTempo(104.6)).toBe(105)
    expect(formatClock(0)).toBe('0:00')
    expect(formatClock(61_999)).toBe('1:01')
    expect(formatClock(-5)).toBe('0:00')
  })
})

describe('clockMap (AudioContext time ↔ shared clock)', () => {
  it('uses the output timestamp when there is one', () => {
    const m = clockMap(
      { currentTime: 2.05, getOutputTimestamp: () => ({ contextTime: 2, performanceTime: 5_000 }) },
      1_000_000
    )
    expect(m.wallOf(2)).toBe(1_005_000)
    expect(m.wallOf(2.5)).toBe(1_005_500)
    expect(m.ctxOf(m.wallOf(3.25))).toBeCloseTo(3.25)
  })

  it('falls back to now plus the output latency', () => {
    const m = clockMap(
      {
        currentTime: 1,
        outputLatency: 0.03,
        getOutputTimestamp: () => ({ contextTime: 0, performanceTime: 0 })
      },
      0,
      10_000
    )
    expect(m.wallOf(1)).toBeCloseTo(10_030)
    expect(m.wallOf(1.1)).toBeCloseTo(10_130)
  })
})
