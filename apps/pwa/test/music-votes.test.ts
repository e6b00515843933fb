import { describe, expect, it } from 'vitest'
import type { Track } from '../src/music/tracks'
import {
  entriesFor,
  isVoteEntry,
  parseVoteEntry,
  pickNext,
  tally,
  voteEntry,
  votesOf
} from '../src/music/votes'

const alice = '12D3KooWAlice'
const bob = '12D3KooWBob'
const track = (id: string, at: number): Track => ({
  id,
  title: id,
  preset: 'arp',
  bpm: 120,
  bars: 8,
  by: 'x',
  at
})
const tracks = [track('a', 1), track('b', 2), track('c', 3), track('d', 4)]

describe('vote entries', () => {
  it('round-trips and refuses garbage', () => {
    expect(parseVoteEntry(voteEntry('a', alice))).toEqual({ trackId: 'a', peerId: alice })
    for (const bad of ['', 'a', 'a|', '|x', 'a|b|c', 'A|x', 'a|x y', 'a'.repeat(41) + '|x', 42, null])
      expect(isVoteEntry(bad)).toBe(false)
  })

  it('counts one vote per peer per track, ignoring unknown tracks and garbage', () => {
    const entries = [
      voteEntry('b', alice),
      voteEntry('b', bob),
      voteEntry('c', alice),
      voteEntry('zz', bob),
      'junk'
    ]
    const counts = tally(entries, tracks)
    expect([...counts]).toEqual([
      ['b', 2],
      ['c', 1]
    ])
    expect([...votesOf(entries, alice)]).toEqual(['b', 'c'])
    expect(entriesFor(entries, 'b')).toEqual([voteEntry('b', alice), voteEntry('b', bob)])
  })
})

describe('pickNext', () => {
  it('plays the most voted track next', () => {
    expect(
      pickNext(
        tracks,
        new Map([
          ['c', 2],
          ['d', 1]
        ]),
        'a'
      )?.id
    ).toBe('c')
  })

  it('breaks ties by playlist order after the current track, wrapping round', () => {
    expect(pickNext(tracks, new Map(), 'b')?.id).toBe('c')
    expect(pickNext(tracks, new Map(), 'd')?.id).toBe('a')
    expect(
      pickNext(
        tracks,
        new Map([
          ['a', 1],
          ['c', 1]
        ]),
        'b'
      )?.id
    ).toBe('c')
    expect(
      pickNext(
        tracks,
        new Map([
          ['a', 1],
          ['c', 1]
        ]),
        'c'
      )?.id
    ).toBe('a')
  })

  it('never picks the current track while there is another, and starts at the top with none', () => {
    expect(pickNext(tracks, new Map([['b', 9]]), 'b')?.id).toBe('c')
    expect(pickNext(tracks, new Map(), null)?.id).toBe('a')
    expect(pickNext(tracks, new Map([['d', 1]]), null)?.id).toBe('d')
    expect(pickNext([track('a', 1)], new Map(), 'a')?.id).toBe('a')
    expect(pickNext([], new Map(), null)).toBeUndefined()
  })
})
