import { Hlc, InvalidCrdtStateError, LwwRegister, OrSet } from 'mesh-core'
import { describe, expect, it } from 'vitest'
import {
  composeNowPlaying,
  isNowHost,
  isNowPlaying,
  isNowPosition,
  isNowTempo,
  isNowTrack,
  splitNowPlaying
} from '../src/music/session-state'
import type { NowFields, NowPlaying } from '../src/music/session-state'
import { isTrack } from '../src/music/tracks'
import type { Track } from '../src/music/tracks'
import { isVoteEntry, voteEntry } from '../src/music/votes'

const good: Track = { id: 't-1', title: 'Fine', preset: 'walk', bpm: 90, bars: 16, by: 'phone', at: 5 }

/** What another peer's replica sends: a delta as an OR-Set minted on its node. */
function deltaFrom<T>(node: string, values: T[]): unknown {
  return { live: [[node, values.map((v, i) => [i + 1, v])]], removed: [] }
}

const now: NowPlaying = {
  pid: 'a/b',
  host: 'a',
  hostName: 'laptop',
  trackId: 't-1',
  title: 'Fine',
  playing: true,
  beat: 1,
  sampledAt: 1,
  msPerBeat: 500,
  lengthBeats: 64,
  tempo: 100,
  lastMove: null,
  moves: 0
}

describe('the music replicas refuse garbage from other peers', () => {
  it('playlist: a delta with one bad track is refused whole, and the set is unchanged', () => {
    const set = new OrSet<Track>({ node: 'me', isValue: isTrack })
    expect(set.applyDelta(deltaFrom('peer', [good]))).toBe(true)
    for (const bad of [{ ...good, id: 't-2', title: '' }, { ...good, id: 't-3', evil: 1 }, 'x', null]) {
      expect(() => set.applyDelta(deltaFrom('peer2', [{ ...good, id: 't-4' }, bad]))).toThrow(
        InvalidCrdtStateError
      )
    }
    expect(set.values()).toEqual([good])
  })

  it('votes: only `trackId|peerId` entries get in', () => {
    const set = new OrSet<string>({ node: 'me', isValue: isVoteEntry })
    expect(() => set.applyDelta(deltaFrom('peer', ['<script>']))).toThrow(InvalidCrdtStateError)
    expect(set.applyDelta(deltaFrom('peer', [voteEntry('t-1', 'PeerA')]))).toBe(true)
    expect(set.values()).toEqual(['t-1|PeerA'])
  })

  it('now playing: each field register refuses a malformed value and keeps the last good one', () => {
    const fields = splitNowPlaying(now)
    const bad: { [K in keyof NowFields]: unknown[] } = {
      host: [
        { ...fields.host, pid: 7 },
        { ...fields.host, moves: 1.5 },
        { ...fields.host, lastMove: 'x' }
      ],
      track: [
        { ...fields.track, title: 'x'.repeat(200) },
        { ...fields.track, lengthBeats: -1 }
      ],
      tempo: [{ tempo: 'fast' }, { tempo: Number.NaN }, null],
      position: [
        { ...fields.position, msPerBeat: -1 },
        { ...fields.position, playing: 'yes' }
      ]
    }
    const guards = { host: isNowHost, track: isNowTrack, tempo: isNowTempo, position: isNowPosition }
    for (const k of ['host', 'track', 'tempo', 'position'] as const) {
      const reg = new LwwRegister<unknown>({ clock: new Hlc({ node: 'me' }), isValue: guards[k] })
      reg.set(fields[k])
      for (const value of bad[k]) {
        const ts = { wall: Date.now() + 1_000, logical: 0, node: 'peer' }
        expect(() => reg.applyDelta({ ts, value }), `${k} ${JSON.stringify(value)}`).toThrow(
          InvalidCrdtStateError
        )
      }
      expect(reg.value).toEqual(fields[k])
    }
  })

  it('now playing: the four registers make the record back; a session without a host is none', () => {
    const f = splitNowPlaying(now)
    expect(composeNowPlaying(f)).toEqual(now)
    expect(isNowPlaying(composeNowPlaying(f))).toBe(true)
    expect(composeNowPlaying({ ...f, host: { ...f.host, host: '' } })).toBeUndefined()
    for (const k of ['host', 'track', 'tempo', 'position'] as const)
      expect(composeNowPlaying({ ...f, [k]: undefined }), k).toBeUndefined()
  })

  it("now playing: a position for another track than the current one reads as the track's start, paused", () => {
    const f = splitNowPlaying(now)
    const ahead = { ...f, track: { trackId: 't-2', title: 'Next', lengthBeats: 32 } }
    expect(composeNowPlaying(ahead)).toMatchObject({
      trackId: 't-2',
      lengthBeats: 32,
      beat: 0,
      playing: false
    })
  })
})
