import { useEffect, useState } from 'react'
import type { Mesh } from 'mesh-core'
import { musicOf } from '../music/music'
import type { Music } from '../music/music'
import '../music/probe'
import { wallNow } from '../music/position'
import type { EngineStatus } from '../music/engine'
import type { NowPlaying } from '../music/session-state'
import type { Track } from '../music/tracks'
import { pickNext, tally, votesOf } from '../music/votes'

/** How often a playing position is redrawn. */
export const positionRefreshMs = 250

export interface MusicView {
  music: Music | undefined
  now: NowPlaying | undefined
  /** The session pid, when there is one. */
  session: string | undefined
  /** Whether this page hosts the session. */
  hostedHere: boolean
  tracks: Track[]
  counts: ReadonlyMap<string, number>
  /** The tracks this peer voted for. */
  mine: ReadonlySet<string>
  next: Track | undefined
  audio: EngineStatus | undefined
  /** The shared clock at this render, to extrapolate the position. */
  at: number
}

function snapshot(mesh: Mesh | undefined, music: Music | undefined): MusicView {
  const tracks = music?.tracks() ?? []
  const entries = music?.voteEntries() ?? []
  const counts = tally(entries, tracks)
  const published = music?.nowPlaying()
  // A host that left without a word (a closed tab) leaves its last record behind: not a session.
  const now =
    published !== undefined &&
    mesh !== undefined &&
    (published.host === mesh.peerId ||
      mesh.peers().some((p) => p.id === published.host && p.status !== 'down'))
      ? published
      : undefined
  return {
    music,
    now,
    session: now === undefined ? undefined : music?.sessionPid(),
    hostedHere: music?.hosted() != null,
    tracks,
    counts,
    mine: mesh === undefined ? new Set() : votesOf(entries, mesh.peerId),
    next: now === undefined ? undefined : pickNext(tracks, counts, now.trackId),
    audio: music?.engine.status(),
    at: wallNow()
  }
}

/** The music of this page, re-rendered on every change and while the position moves. */
export function useMusic(mesh: Mesh | undefined): MusicView {
  const music = mesh === undefined ? undefined : musicOf(mesh)
  const [view, setView] = useState<MusicView>(() => snapshot(mesh, music))
  useEffect(() => {
    const refresh = (): void => setView(snapshot(mesh, music))
    refresh()
    if (music === undefined) return
    window.__music = {
      audio: () => music.engine.status(),
      level: () => music.engine.level(),
      hosted: () => music.hosted(),
      nowPlaying: () => music.nowPlaying(),
      playHere: () => music.playHere()
    }
    const off = music.subscribe(refresh)
    // The position ticks only while something plays; otherwise changes arrive as events.
    const timer = window.setInterval(() => {
      if (music.nowPlaying()?.playing === true) refresh()
    }, positionRefreshMs)
    return () => {
      off()
      window.clearInterval(timer)
    }
  }, [mesh, music])
  return view
}
