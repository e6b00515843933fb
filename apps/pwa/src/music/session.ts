/**
 * The `music.session` actor. The peer that hosts it plays the music: the behaviour drives
 * the page's player through `SessionDeps`, publishes "now playing", and keeps the
 * position exact across a handoff: `beforeHandoff` stops the sound on the source and
 * records the beat it reached and when; `afterHandoff` starts that beat on the target
 * and records the audible gap.
 */
import type { ActorBehaviour, ActorContext, OrSetState } from 'mesh-core'
import { nowPlayingOf, parseSessionState } from './session-state'
import type { Departure, Move, NowPlaying, SessionSnapshot, SessionState } from './session-state'
import { lengthBeats } from './sequencer'
import { beatAt, clampTempo, defaultTempo, msPerBeat, positionAt, wallAt } from './position'
import type { Timing } from './position'
import type { Track } from './tracks'
import { pickNext, tally } from './votes'

export const sessionActorName = 'music.session'

/** What the session needs from the page that hosts it. */
export interface SessionPlayer {
  /** Sound `beat` of `track` as soon as possible; when it sounds (shared clock), or null if this page cannot sound. */
  resume(track: Track, beat: number, msPerBeat: number): number | null
  /** Go on with `timing`; only a jump in it cuts what is already scheduled. */
  follow(track: Track, timing: Timing): void
  /** Silence now; when the sound actually stops (shared clock) and whether there was any. */
  stop(): { stoppedAt: number; sounding: boolean }
}

export interface SessionDeps {
  self(): { id: string; name: string }
  /** The shared clock, ms. */
  now(): number
  player: SessionPlayer
  /** The local playlist replica, valid tracks only, in playlist order. */
  tracks(): Track[]
  voteEntries(): string[]
  playlistState(): OrSetState<Track>
  voteState(): OrSetState<string>
  /** Join CRDT state that travelled with the session into the local replicas (validated there). */
  merge(playlist: unknown, votes: unknown): void
  /** The track started playing: its votes are used up. */
  consumeVotes(trackId: string): void
  publish(now: NowPlaying): void
  /** This peer hosts `pid` now (start the ticks), or no longer. */
  hosting(pid: string): void
  leaving(pid: string): void
  /** The session stopped for good here. */
  gone(pid: string): void
}

export type SessionMessage =
  | { type: 'get' }
  | { type: 'tick' }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'skip' }
  | { type: 'tempo'; tempo: number }
  | { type: 'ended'; trackId: string; at: number }

/** Reads an untrusted message; `undefined` for anything else (ignored). */
export function parseSessionMessage(m: unknown): SessionMessage | undefined {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return undefined
  const r = m as Record<string, unknown>
  if (r.get === true) return { type: 'get' }
  if (r.tick === true) return { type: 'tick' }
  if (r.play === true) return { type: 'play' }
  if (r.pause === true) return { type: 'pause' }
  if (r.skip === true) return { type: 'skip' }
  if (typeof r.tempo === 'number' && Number.isFinite(r.tempo))
    return { type: 'tempo', tempo: clampTempo(r.tempo) }
  const e = r.ended as Record<string, unknown> | null | undefined
  if (typeof e === 'object' && e !== null && typeof e.trackId === 'string' && typeof e.at === 'number')
    return Number.isFinite(e.at) ? { type: 'ended', trackId: e.trackId, at: e.at } : undefined
  return undefined
}

/** How far past its end a track may seem before a tick moves on (the player normally does first). */
const endSlackBeats = 1

/** The behaviour, bound to this page's player and replicas. */
export function sessionBehaviour(deps: SessionDeps): ActorBehaviour<SessionState, unknown> {
  /** Set while a handoff from here is under way; a message handled here meanwhile means it failed. */
  let departed: { beat: number } | null = null

  const trackOf = (s: SessionState): Track | undefined =>
    s.trackId === null ? undefined : deps.tracks().find((t) => t.id === s.trackId)
  const mpb = (track: Track, s: SessionState): number => msPerBeat(track.bpm, s.tempo)
  const timingOf = (track: Track, s: SessionState): Timing => ({
    beat: s.beat,
    anchorAt: s.anchorAt,
    msPerBeat: mpb(track, s)
  })
  const position = (s: SessionState, track: Track, at: number): number =>
    positionAt({ ...timingOf(track, s), playing: s.playing }, at, lengthBeats(track))

  /** Start `beat` of `track` now: the anchor is when the player sounds it. */
  const startAt = (s: SessionState, track: Track, beat: number): SessionState => {
    const anchorAt = deps.player.resume(track, beat, mpb(track, s)) ?? deps.now()
    return { ...s, trackId: track.id, beat, anchorAt, playing: true }
  }

  /** Move on to the next track (most voted), starting at `at`, or now when `at` is null. */
  const advance = (s: SessionState, at: number | null): SessionState => {
    const ordered = deps.tracks()
    const next = pickNext(ordered, tally(deps.voteEntries(), ordered), s.trackId)
    if (next === undefined) {
      deps.player.stop()
      return { ...s, trackId: null, beat: 0, playing: false }
    }
    deps.consumeVotes(next.id)
    if (at === null) return startAt(s, next, 0)
    return { ...s, trackId: next.id, beat: 0, anchorAt: at, playing: true }
  }

  /** After every change on the host: the player follows and the view is published. */
  const sync = (s: SessionState): SessionState => {
    const fresh = { ...s, playlist: deps.playlistState(), votes: deps.voteState() }
    const track = trackOf(fresh)
    if (fresh.playing && track !== undefined) deps.player.follow(track, timingOf(track, fresh))
    deps.publish(nowPlayingOf(fresh, track, deps.now()))
    return fresh
  }

  const snapshot = (s: SessionState): SessionSnapshot => {
    const now = deps.now()
    const track = trackOf(s)
    const n = nowPlayingOf(s, track, now)
    return { ...n, positionMs: n.beat * n.msPerBeat, tracks: deps.tracks() }
  }

  const apply = (msg: SessionMessage, s: SessionState, ctx: ActorContext): SessionState | undefined => {
    const track = trackOf(s)
    switch (msg.type) {
      case 'get':
        ctx.reply(snapshot(s))
        return undefined
      case 'tick':
        if (
          s.playing &&
          track !== undefined &&
          beatAt(timingOf(track, s), deps.now()) > lengthBeats(track) + endSlackBeats
        )
          return advance(s, wallAt(timingOf(track, s), lengthBeats(track)))
        if (s.playing && track === undefined) return advance(s, null)
        return s
      case 'ended':
        if (ctx.from !== deps.self().id || !s.playing || s.trackId !== msg.trackId) return undefined
        return advance(s, msg.at)
      case 'play':
        if (s.playing && track !== undefined) return undefined
        if (track === undefined) return advance(s, null)
        return startAt(s, track, s.beat >= lengthBeats(track) ? 0 : s.beat)
      case 'pause': {
        if (!s.playing || track === undefined) return undefined
        const { stoppedAt } = deps.player.stop()
        return { ...s, playing: false, beat: position(s, track, stoppedAt) }
      }
      case 'skip':
        return advance(s, null)
      case 'tempo': {
        if (msg.tempo === s.tempo) return undefined
        if (!s.playing || track === undefined) return { ...s, tempo: msg.tempo }
        const beat = position(s, track, deps.now())
        return startAt({ ...s, tempo: msg.tempo }, track, beat)
      }
    }
  }

  return {
    init(args, ctx) {
      const a = typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : {}
      const me = deps.self()
      const base: SessionState = {
        pid: ctx.self,
        host: me.id,
        hostName: me.name,
        trackId: null,
        playing: false,
        beat: 0,
        anchorAt: deps.now(),
        tempo: typeof a.tempo === 'number' ? clampTempo(a.tempo) : defaultTempo,
        playlist: deps.playlistState(),
        votes: deps.voteState(),
        lastMove: null,
        moves: 0,
        departure: null
      }
      departed = null
      deps.hosting(ctx.self)
      return sync(advance(base, null))
    },

    handle(m, s, ctx) {
      const state = s
      const msg = parseSessionMessage(m)
      const next = msg === undefined ? undefined : apply(msg, state, ctx)
      if (next === undefined) return state === s ? undefined : sync(state)
      return sync(next)
    },

    terminate(_reason, s) {
      deps.player.stop()
      deps.gone(s.pid)
      const n = nowPlayingOf(s, trackOf(s), deps.now())
      deps.publish({ ...n, playing: false, host: '', hostName: '' })
    },

    beforeHandoff(s) {
      const me = deps.self()
      const track = trackOf(s)
      const { stoppedAt, sounding } = deps.player.stop()
      const beat = track === undefined ? s.beat : position(s, track, stoppedAt)
      departed = { beat }
      deps.leaving(s.pid)
      const departure: Departure = { from: me.id, fromName: me.name, stoppedAt, sounding }
      return {
        ...s,
        beat,
        anchorAt: stoppedAt,
        playlist: deps.playlistState(),
        votes: deps.voteState(),
        departure
      } satisfies SessionState
    },

    handoffAborted(s) {
      // The move failed and the session stays here: play on from where it stopped.
      const beat = departed?.beat ?? s.beat
      departed = null
      deps.hosting(s.pid)
      const track = trackOf(s)
      return sync(s.playing && track !== undefined ? startAt(s, track, beat) : { ...s, beat })
    },

    afterHandoff(data) {
      const s = parseSessionState(data)
      if (s === undefined) throw new TypeError('music.session: the handed-off state is malformed')
      deps.merge(s.playlist, s.votes)
      const me = deps.self()
      departed = null
      let state: SessionState = { ...s, host: me.id, hostName: me.name, departure: null }
      const track = trackOf(state)
      let startedAt: number | null = null
      if (state.playing && track !== undefined) {
        startedAt = deps.player.resume(track, s.beat, mpb(track, state))
        state = { ...state, anchorAt: startedAt ?? deps.now() }
      }
      const dep = s.departure
      if (dep !== null) {
        const move: Move = {
          from: dep.from,
          fromName: dep.fromName,
          to: me.id,
          toName: me.name,
          stoppedAt: dep.stoppedAt,
          startedAt,
          gapMs: startedAt !== null && dep.sounding ? startedAt - dep.stoppedAt : null,
          beat: s.beat
        }
        state = { ...state, lastMove: move, moves: s.moves + 1 }
      }
      deps.hosting(state.pid)
      return sync(state)
    }
  }
}
