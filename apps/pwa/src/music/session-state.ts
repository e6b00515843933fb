/**
 * The `music.session` actor's state, the "now playing" record the host publishes, and
 * the parsers for both: the state arrives by handoff and the record by gossip, both from
 * other peers, so both are checked before use.
 */
import type { OrSetState } from 'mesh-core'
import { lengthBeats } from './sequencer'
import { msPerBeat, positionAt } from './position'
import type { Track } from './tracks'

/** One move of the session, as the target measured it. */
export interface Move {
  from: string
  fromName: string
  to: string
  toName: string
  /** When the source's sound stopped (shared clock, ms). */
  stoppedAt: number
  /** When the target's first sound played, or null when the target could not sound. */
  startedAt: number | null
  /** startedAt - stoppedAt: the audible gap, or null. */
  gapMs: number | null
  /** The beat the source stopped at and the target went on from. */
  beat: number
}

/** Filled in by the source just before a handoff (beforeHandoff). */
export interface Departure {
  from: string
  fromName: string
  stoppedAt: number
  /** Whether the source was making sound when it stopped. */
  sounding: boolean
}

export interface SessionState {
  pid: string
  host: string
  hostName: string
  trackId: string | null
  playing: boolean
  /** The position, in beats from the start of the track, at `anchorAt`. */
  beat: number
  /** When `beat` sounds (shared clock, ms); the position moves on from there while playing. */
  anchorAt: number
  /** Percent of each track's own bpm. */
  tempo: number
  /** The playlist OR-Set as the host last saw it: it travels with the session. */
  playlist: OrSetState<Track>
  votes: OrSetState<string>
  lastMove: Move | null
  moves: number
  departure: Departure | null
}

/** What the host publishes, on each change and every second: as four registers (`NowFields`). */
export interface NowPlaying {
  pid: string
  host: string
  hostName: string
  trackId: string | null
  title: string
  playing: boolean
  /** The position at `sampledAt`; viewers extrapolate with `msPerBeat`. */
  beat: number
  sampledAt: number
  msPerBeat: number
  lengthBeats: number
  tempo: number
  lastMove: Move | null
  moves: number
}

/** The answer to `{ get: true }`. */
export interface SessionSnapshot extends NowPlaying {
  positionMs: number
  tracks: Track[]
}

const maxIdLength = 256
const maxNameLength = 128

function str(v: unknown, max = maxIdLength): v is string {
  return typeof v === 'string' && v.length <= max
}

function num(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}

function nonNegative(v: unknown): v is number {
  return num(v) && v >= 0
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
}

export function parseMove(v: unknown): Move | null | undefined {
  if (v === null) return null
  const r = record(v)
  if (r === undefined) return undefined
  const ok =
    str(r.from) &&
    str(r.fromName, maxNameLength) &&
    str(r.to) &&
    str(r.toName, maxNameLength) &&
    nonNegative(r.stoppedAt) &&
    (r.startedAt === null || nonNegative(r.startedAt)) &&
    (r.gapMs === null || num(r.gapMs)) &&
    nonNegative(r.beat)
  if (!ok) return undefined
  return {
    from: r.from as string,
    fromName: r.fromName as string,
    to: r.to as string,
    toName: r.toName as string,
    stoppedAt: r.stoppedAt as number,
    startedAt: r.startedAt as number | null,
    gapMs: r.gapMs as number | null,
    beat: r.beat as number
  }
}

function parseDeparture(v: unknown): Departure | null | undefined {
  if (v === null) return null
  const r = record(v)
  if (r === undefined) return undefined
  if (!str(r.from) || !str(r.fromName, maxNameLength) || !nonNegative(r.stoppedAt)) return undefined
  if (typeof r.sounding !== 'boolean') return undefined
  return { from: r.from, fromName: r.fromName, stoppedAt: r.stoppedAt, sounding: r.sounding }
}

function orSetShape(v: unknown): boolean {
  const r = record(v)
  return r !== undefined && Array.isArray(r.live) && Array.isArray(r.removed)
}

/** Checks a state that arrived by handoff. The CRDT parts are validated when merged. */
export function parseSessionState(v: unknown): SessionState | undefined {
  const r = record(v)
  if (r === undefined) return undefined
  const lastMove = parseMove(r.lastMove)
  const departure = parseDeparture(r.departure)
  const ok =
    str(r.pid) &&
    str(r.host) &&
    str(r.hostName, maxNameLength) &&
    (r.trackId === null || str(r.trackId)) &&
    typeof r.playing === 'boolean' &&
    nonNegative(r.beat) &&
    nonNegative(r.anchorAt) &&
    num(r.tempo) &&
    orSetShape(r.playlist) &&
    orSetShape(r.votes) &&
    lastMove !== undefined &&
    departure !== undefined &&
    Number.isSafeInteger(r.moves) &&
    (r.moves as number) >= 0
  if (!ok) return undefined
  return {
    pid: r.pid as string,
    host: r.host as string,
    hostName: r.hostName as string,
    trackId: r.trackId as string | null,
    playing: r.playing as boolean,
    beat: r.beat as number,
    anchorAt: r.anchorAt as number,
    tempo: r.tempo as number,
    playlist: r.playlist as OrSetState<Track>,
    votes: r.votes as OrSetState<string>,
    lastMove,
    moves: r.moves as number,
    departure
  }
}

/**
 * "Now playing" travels as four LWW registers, one per field the issue names: who hosts
 * the session, the current track, the tempo, and the position. Only what changed is
 * written (the position on every tick, the rest on a change), and each is checked on
 * arrival by its own guard. The position names its track, so a viewer never runs one
 * track's position against another's length while the two registers catch up.
 */
export interface NowHost {
  pid: string
  host: string
  hostName: string
  lastMove: Move | null
  moves: number
}
export interface NowTrack {
  trackId: string | null
  title: string
  lengthBeats: number
}
export interface NowTempo {
  tempo: number
}
export interface NowPosition {
  trackId: string | null
  playing: boolean
  beat: number
  sampledAt: number
  msPerBeat: number
}
export interface NowFields {
  host: NowHost
  track: NowTrack
  tempo: NowTempo
  position: NowPosition
}

export function isNowHost(v: unknown): v is NowHost {
  const r = record(v)
  return (
    r !== undefined &&
    str(r.pid) &&
    str(r.host) &&
    str(r.hostName, maxNameLength) &&
    parseMove(r.lastMove) !== undefined &&
    Number.isSafeInteger(r.moves)
  )
}

export function isNowTrack(v: unknown): v is NowTrack {
  const r = record(v)
  return (
    r !== undefined &&
    (r.trackId === null || str(r.trackId)) &&
    str(r.title, maxNameLength) &&
    nonNegative(r.lengthBeats)
  )
}

export function isNowTempo(v: unknown): v is NowTempo {
  const r = record(v)
  return r !== undefined && num(r.tempo)
}

export function isNowPosition(v: unknown): v is NowPosition {
  const r = record(v)
  return (
    r !== undefined &&
    (r.trackId === null || str(r.trackId)) &&
    typeof r.playing === 'boolean' &&
    nonNegative(r.beat) &&
    nonNegative(r.sampledAt) &&
    num(r.msPerBeat) &&
    r.msPerBeat > 0
  )
}

/** A now-playing record as its four registers. */
export function splitNowPlaying(n: NowPlaying): NowFields {
  return {
    host: { pid: n.pid, host: n.host, hostName: n.hostName, lastMove: n.lastMove, moves: n.moves },
    track: { trackId: n.trackId, title: n.title, lengthBeats: n.lengthBeats },
    tempo: { tempo: n.tempo },
    position: {
      trackId: n.trackId,
      playing: n.playing,
      beat: n.beat,
      sampledAt: n.sampledAt,
      msPerBeat: n.msPerBeat
    }
  }
}

/**
 * The now-playing record the registers make together, or undefined when no session runs
 * (none yet, or its host left). A position for another track than the current one (one
 * register ahead of the other) reads as the new track's start, paused, until they agree.
 */
export function composeNowPlaying(f: { [K in keyof NowFields]: NowFields[K] | undefined }):
  NowPlaying | undefined {
  const { host, track, tempo, position } = f
  if (host === undefined || host.host === '' || track === undefined || tempo === undefined) return undefined
  if (position === undefined) return undefined
  const agree = position.trackId === track.trackId
  return {
    ...host,
    ...track,
    ...tempo,
    playing: agree && position.playing,
    beat: agree ? position.beat : 0,
    sampledAt: position.sampledAt,
    msPerBeat: position.msPerBeat
  }
}

/** Whether an untrusted value is a whole `NowPlaying` record. */
export function isNowPlaying(v: unknown): v is NowPlaying {
  const r = record(v)
  if (r === undefined) return false
  return isNowHost(r) && isNowTrack(r) && isNowTempo(r) && isNowPosition(r)
}

/** The now-playing record for `state` at `now`, with the current track if any. */
export function nowPlayingOf(state: SessionState, track: Track | undefined, now: number): NowPlaying {
  const mpb = track === undefined ? 500 : msPerBeat(track.bpm, state.tempo)
  const length = track === undefined ? 0 : lengthBeats(track)
  const beat = positionAt(
    { beat: state.beat, anchorAt: state.anchorAt, msPerBeat: mpb, playing: state.playing },
    now,
    length
  )
  return {
    pid: state.pid,
    host: state.host,
    hostName: state.hostName,
    trackId: track === undefined ? null : track.id,
    title: track === undefined ? '' : track.title,
    playing: state.playing && track !== undefined,
    beat,
    sampledAt: now,
    msPerBeat: mpb,
    lengthBeats: length,
    tempo: state.tempo,
    lastMove: state.lastMove,
    moves: state.moves
  }
}

/** A viewer's position from a now-playing record, extrapolated to `now`. */
export function viewedBeat(n: NowPlaying, now: number): number {
  return positionAt(
    { beat: n.beat, anchorAt: n.sampledAt, msPerBeat: n.msPerBeat, playing: n.playing },
    now,
    n.lengthBeats
  )
}
