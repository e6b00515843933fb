/**
 * The music feature of this page: the replicated playlist, votes and "now playing", the
 * Web Audio engine, and the `music.session` actor, defined on every peer so any of them
 * can host the session. One per mesh; `defineMusic` at start, `musicOf` from the UI.
 */
import { Hlc, LwwRegister, OrSet } from 'mesh-core'
import type { Mesh, Pid, Replica } from 'mesh-core'
import { createAudioEngine } from './engine'
import type { AudioEngine } from './engine'
import { wallNow } from './position'
import { sessionActorName, sessionBehaviour } from './session'
import type { SessionDeps } from './session'
import {
  composeNowPlaying,
  isNowHost,
  isNowPosition,
  isNowTempo,
  isNowTrack,
  splitNowPlaying
} from './session-state'
import type { NowFields, NowPlaying } from './session-state'
import { demoTracks, isTrack, maxTracks, parseTrackInput, playlistOrder } from './tracks'
import type { Track, TrackInput, TrackParse } from './tracks'
import { entriesFor, isVoteEntry, maxVotes, voteEntry, votesOf } from './votes'

export const playlistReplicaName = 'music.playlist'
export const votesReplicaName = 'music.votes'
/** The "now playing" registers, one per field (NowFields). */
export const nowReplicaNames: { [K in keyof NowFields]: string } = {
  host: 'music.host',
  track: 'music.track',
  tempo: 'music.tempo',
  position: 'music.position'
}
/** How often the host re-publishes "now playing". */
export const tickMs = 1_000

export type SessionControl = 'play' | 'pause' | 'skip' | { tempo: number }

export interface Music {
  readonly engine: AudioEngine
  readonly playlist: Replica<OrSet<Track>>
  readonly votes: Replica<OrSet<string>>
  readonly now: { [K in keyof NowFields]: Replica<LwwRegister<NowFields[K]>> }
  /** The session's pid when this page hosts it. */
  hosted(): Pid | null
  /** The session: its registered name, else the pid "now playing" names. */
  sessionPid(): Pid | undefined
  /** The published "now playing", or undefined when no session runs. */
  nowPlaying(): NowPlaying | undefined
  tracks(): Track[]
  voteEntries(): string[]
  /** Start a session here (spawn, register); seeds the playlist when empty. */
  start(): Promise<Pid>
  /** Move the session to this page; resolves with how long the handoff call took (ms). */
  playHere(): Promise<number>
  addTrack(input: TrackInput): Promise<TrackParse>
  toggleVote(trackId: string): Promise<void>
  control(c: SessionControl): void
  subscribe(fn: () => void): () => void
}

const instances = new WeakMap<Mesh, Music>()

export function musicOf(mesh: Mesh): Music | undefined {
  return instances.get(mesh)
}

/** Defines the session actor here and joins the music replicas. Idempotent per mesh. */
export function defineMusic(mesh: Mesh): Music {
  const existing = instances.get(mesh)
  if (existing !== undefined) return existing
  const clock = new Hlc({ node: mesh.peerId })
  const playlist = mesh.replicate(
    playlistReplicaName,
    new OrSet<Track>({ node: mesh.peerId, isValue: isTrack, maxElements: maxTracks })
  )
  const votes = mesh.replicate(
    votesReplicaName,
    new OrSet<string>({ node: mesh.peerId, isValue: isVoteEntry, maxElements: maxVotes })
  )
  const register = <K extends keyof NowFields>(k: K, isValue: (v: unknown) => v is NowFields[K]) =>
    mesh.replicate(nowReplicaNames[k], new LwwRegister<NowFields[K]>({ clock, isValue }))
  const now: Music['now'] = {
    host: register('host', isNowHost),
    track: register('track', isNowTrack),
    tempo: register('tempo', isNowTempo),
    position: register('position', isNowPosition)
  }
  const listeners = new Set<() => void>()
  const changed = (): void => {
    for (const fn of [...listeners]) fn()
  }
  let hostedPid: Pid | null = null
  let ticks: ReturnType<typeof setInterval> | undefined

  const engine = createAudioEngine({
    onEnd: (trackId, at) => {
      if (hostedPid !== null) mesh.send(hostedPid, { ended: { trackId, at } }, { priority: 'critical' })
    }
  })
  const tracks = (): Track[] => playlistOrder(playlist.crdt.values())
  const stopTicks = (): void => {
    if (ticks !== undefined) clearInterval(ticks)
    ticks = undefined
  }
  const ignore = (p: Promise<void>): void => void p.catch(() => undefined)

  const deps: SessionDeps = {
    self: () => ({ id: mesh.peerId, name: mesh.name }),
    now: wallNow,
    player: engine,
    tracks,
    voteEntries: () => votes.crdt.values(),
    playlistState: () => playlist.crdt.state(),
    voteState: () => votes.crdt.state(),
    merge(p, v) {
      // Validated by the CRDTs: a bad part is refused whole and the local replica kept.
      ignore(playlist.change((c) => (c.applyDelta(p) ? p : undefined)))
      ignore(votes.change((c) => (c.applyDelta(v) ? v : undefined)))
    },
    consumeVotes(trackId) {
      for (const e of entriesFor(votes.crdt.values(), trackId)) ignore(votes.change((c) => c.remove(e)))
    },
    publish(n) {
      const fields = splitNowPlaying(n)
      const write = <K extends keyof NowFields>(k: K): void => {
        // Only what changed travels: the position on every tick, the rest now and then.
        if (JSON.stringify(now[k].crdt.value) !== JSON.stringify(fields[k]))
          ignore(now[k].change((r) => r.set(fields[k])))
      }
      write('host')
      write('track')
      write('tempo')
      write('position')
    },
    hosting(pid) {
      hostedPid = pid
      stopTicks()
      ticks = setInterval(() => mesh.send(pid, { tick: true }), tickMs)
      changed()
    },
    leaving() {
      hostedPid = null
      stopTicks()
      changed()
    },
    gone(pid) {
      if (hostedPid === pid) hostedPid = null
      stopTicks()
      changed()
    }
  }
  mesh.actor(sessionActorName, sessionBehaviour(deps))
  // Two sessions started at once: the one that lost the name stops.
  mesh.on('name:lost', (d) => {
    if (d.name === sessionActorName && d.pid === hostedPid) mesh.exit(d.pid, 'duplicate')
  })

  const nowPlaying = (): NowPlaying | undefined =>
    composeNowPlaying({
      host: now.host.crdt.value,
      track: now.track.crdt.value,
      tempo: now.tempo.crdt.value,
      position: now.position.crdt.value
    })

  const music: Music = {
    engine,
    playlist,
    votes,
    now,
    hosted: () => hostedPid,
    sessionPid: () => mesh.whereis(sessionActorName) ?? nowPlaying()?.pid,
    nowPlaying,
    tracks,
    voteEntries: () => votes.crdt.values(),
    async start() {
      await engine.unlock()
      if (playlist.crdt.size === 0)
        for (const t of demoTracks(mesh.name, Date.now())) await playlist.change((c) => c.add(t))
      const pid = await mesh.spawn({}, sessionActorName, {}, { peer: mesh.peerId })
      try {
        await mesh.register(sessionActorName, pid)
      } catch (err) {
        mesh.exit(pid, 'duplicate')
        throw err
      }
      return pid
    },
    async playHere() {
      const pid = music.sessionPid()
      if (pid === undefined) throw new Error('There is no session to move.')
      await engine.unlock()
      const t0 = performance.now()
      await mesh.handoff(pid, { to: mesh.peerId })
      return performance.now() - t0
    },
    async addTrack(input) {
      const parsed = parseTrackInput(input, mesh.name, Date.now())
      if (parsed.ok) await playlist.change((c) => c.add(parsed.track))
      return parsed
    },
    async toggleVote(trackId) {
      const entry = voteEntry(trackId, mesh.peerId)
      const mine = votesOf(votes.crdt.values(), mesh.peerId).has(trackId)
      await votes.change((c) => (mine ? c.remove(entry) : c.add(entry)))
    },
    control(c) {
      const pid = music.sessionPid()
      if (pid === undefined) return
      mesh.send(pid, typeof c === 'string' ? { [c]: true } : c, { priority: 'high' })
    },
    subscribe(fn) {
      listeners.add(fn)
      const offs = [
        playlist.onChange(fn),
        votes.onChange(fn),
        ...Object.values(now).map((r) => r.onChange(fn)),
        engine.subscribe(fn)
      ]
      return () => {
        listeners.delete(fn)
        for (const off of offs) off()
      }
    }
  }
  instances.set(mesh, music)
  return music
}
