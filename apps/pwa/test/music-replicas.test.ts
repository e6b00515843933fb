import { Hlc, InvalidCrdtStateError, LwwRegister, OrSet } from 'mesh-core'
import { describe, expect, it } from 'vitest'
import { isNowPlaying } from '../src/music/session-state'
import type { NowPlaying } from '../src/music/session-state'
import { isTrack } from '../src/music/tracks'
import type { Track } from '../src/music/tracks'
import { isVoteEntry, voteEntry } from '../src/music/votes'

const good: Track = { id: 't-1', title: 'Fine', preset: 'walk', bpm: 90, bars: 16, by: 'phone', at: 5 }

/** What another peer's replica sends: a delta as an OR-Set minted on its node. */
function deltaFrom<T>(node: string, values: T[]): unknown {
  return { live: [[node, values.map((v, i) => [i + 1, v])]], removed: [] }
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

  it('now playing: a malformed record is refused and the last good one stays', () => {
    const reg = new LwwRegister<NowPlaying>({ clock: new Hlc({ node: 'me' }), isValue: isNowPlaying })
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
    reg.set(now)
    const ts = { wall: Date.now() + 1_000, logical: 0, node: 'peer' }
    expect(() => reg.applyDelta({ ts, value: { ...now, msPerBeat: -1 } })).toThrow(InvalidCrdtStateError)
    expect(reg.value).toEqual(now)
  })
})
