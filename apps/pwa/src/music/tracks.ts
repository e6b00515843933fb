/**
 * Tracks of the music session: what the playlist (an OR-Set replicated between peers)
 * holds. Everything read from a replica is untrusted, so `isTrack` checks each field.
 */

/** The sound presets a track can use; each is a note pattern (see sequencer.ts). */
export const presetIds = ['arp', 'pulse', 'bells', 'walk'] as const
export type PresetId = (typeof presetIds)[number]

export const presetLabels: Record<PresetId, string> = {
  arp: 'Arpeggio',
  pulse: 'Pulse',
  bells: 'Bells',
  walk: 'Walking bass'
}

export interface Track {
  /** `[a-z0-9-]`, 1 to `maxTrackIdLength`: unique per track. */
  id: string
  title: string
  preset: PresetId
  /** Beats per minute at tempo 100 %. */
  bpm: number
  /** Length in 4/4 bars. */
  bars: number
  /** The name of the peer that added it. */
  by: string
  /** When it was added (ms since the epoch, by the adder's clock): the playlist order. */
  at: number
}

export const maxTitleLength = 60
export const maxByLength = 64
export const maxTrackIdLength = 40
export const minBpm = 60
export const maxBpm = 200
export const minBars = 4
export const maxBars = 128
/** Bars of a track added from the form: about a minute at 120 bpm. */
export const addedTrackBars = 32
/** The most tracks the playlist holds (the OR-Set's bound). */
export const maxTracks = 200

const trackKeys = ['at', 'bars', 'bpm', 'by', 'id', 'preset', 'title'].join(',')
const idPattern = /^[a-z0-9-]+$/
// Control characters make no sense in a title and can break the layout.
// eslint-disable-next-line no-control-regex
const controlChars = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

function isPreset(v: unknown): v is PresetId {
  return typeof v === 'string' && (presetIds as readonly string[]).includes(v)
}

function intIn(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
}

/** Why `title` is not acceptable, or `undefined`. */
export function titleProblem(title: string): string | undefined {
  const t = title.trim()
  if (t.length === 0) return 'A title is needed.'
  if (t.length > maxTitleLength) return `A title is at most ${maxTitleLength} characters.`
  if (controlChars.test(t)) return 'A title cannot hold control characters.'
  return undefined
}

/** Whether an untrusted value is a well-formed track, exactly (no extra fields). */
export function isTrack(v: unknown): v is Track {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const r = v as Record<string, unknown>
  if (Object.keys(r).sort().join(',') !== trackKeys) return false
  return (
    typeof r.id === 'string' &&
    r.id.length <= maxTrackIdLength &&
    idPattern.test(r.id) &&
    typeof r.title === 'string' &&
    r.title === r.title.trim() &&
    titleProblem(r.title) === undefined &&
    isPreset(r.preset) &&
    intIn(r.bpm, minBpm, maxBpm) &&
    intIn(r.bars, minBars, maxBars) &&
    typeof r.by === 'string' &&
    r.by.length <= maxByLength &&
    typeof r.at === 'number' &&
    Number.isFinite(r.at) &&
    r.at >= 0
  )
}

/** What the add-track form holds. */
export interface TrackInput {
  title: string
  preset: string
  bpm: string
}

export type TrackParse = { ok: true; track: Track } | { ok: false; error: string }

/** A new track id: time-ordered, with random bits so two peers never clash. */
export function newTrackId(now: number, random: () => number = Math.random): string {
  const bits = Math.floor(random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0')
  return `t-${Math.floor(now).toString(36)}-${bits}`
}

/** Validates the form and builds a track, or says what is wrong. */
export function parseTrackInput(
  input: TrackInput,
  by: string,
  now: number,
  random?: () => number
): TrackParse {
  const problem = titleProblem(input.title)
  if (problem !== undefined) return { ok: false, error: problem }
  if (!isPreset(input.preset)) return { ok: false, error: 'Choose a sound.' }
  const bpm = Number(input.bpm)
  if (!intIn(bpm, minBpm, maxBpm)) return { ok: false, error: `The tempo is ${minBpm} to ${maxBpm} bpm.` }
  const track: Track = {
    id: newTrackId(now, random),
    title: input.title.trim(),
    preset: input.preset,
    bpm,
    bars: addedTrackBars,
    by: by.slice(0, maxByLength),
    at: Math.floor(now)
  }
  return { ok: true, track }
}

/** The playlist order: when a track was added, then its id. */
export function playlistOrder(tracks: readonly Track[]): Track[] {
  return [...tracks].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** The tracks a new session starts with when the playlist is empty (about 100 s each). */
export function demoTracks(by: string, now: number): Track[] {
  const at = Math.floor(now)
  return [
    {
      id: `demo-sunrise-${at.toString(36)}`,
      title: 'Laptop Sunrise',
      preset: 'arp',
      bpm: 112,
      bars: 48,
      by,
      at
    },
    {
      id: `demo-relay-${at.toString(36)}`,
      title: 'Relay Pulse',
      preset: 'pulse',
      bpm: 124,
      bars: 52,
      by,
      at: at + 1
    },
    {
      id: `demo-bells-${at.toString(36)}`,
      title: 'Gossip Bells',
      preset: 'bells',
      bpm: 96,
      bars: 40,
      by,
      at: at + 2
    }
  ]
}
