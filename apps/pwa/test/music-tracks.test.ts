import { describe, expect, it } from 'vitest'
import {
  addedTrackBars,
  demoTracks,
  isTrack,
  maxTitleLength,
  newTrackId,
  parseTrackInput,
  playlistOrder,
  titleProblem
} from '../src/music/tracks'
import type { Track } from '../src/music/tracks'

const good: Track = { id: 't-abc-123', title: 'Hello', preset: 'arp', bpm: 120, bars: 32, by: 'phone', at: 1 }

describe('isTrack (untrusted playlist entries)', () => {
  it('accepts a well-formed track and the demo tracks', () => {
    expect(isTrack(good)).toBe(true)
    for (const t of demoTracks('laptop', 1_700_000_000_000)) expect(isTrack(t)).toBe(true)
  })

  it.each([
    ['null', null],
    ['an array', [good]],
    ['a string', 'track'],
    ['an extra field', { ...good, evil: true }],
    ['a missing field', { id: good.id, title: good.title, preset: good.preset, bpm: 120, bars: 32, by: 'x' }],
    ['an id with capitals', { ...good, id: 'T-1' }],
    ['a long id', { ...good, id: 'a'.repeat(41) }],
    ['an empty title', { ...good, title: '' }],
    ['a padded title', { ...good, title: ' Hello ' }],
    ['a long title', { ...good, title: 'x'.repeat(maxTitleLength + 1) }],
    ['a control character', { ...good, title: 'a\u0007b' }],
    ['an unknown preset', { ...good, preset: 'noise' }],
    ['a fractional bpm', { ...good, bpm: 120.5 }],
    ['a huge bpm', { ...good, bpm: 10_000 }],
    ['too few bars', { ...good, bars: 1 }],
    ['a NaN time', { ...good, at: Number.NaN }],
    ['a long author', { ...good, by: 'x'.repeat(65) }]
  ])('refuses %s', (_what, value) => {
    expect(isTrack(value)).toBe(false)
  })
})

describe('parseTrackInput (the add-track form)', () => {
  it('builds a track with a fresh id, trimmed title and the fixed length', () => {
    const r = parseTrackInput(
      { title: '  Pocket Anthem ', preset: 'bells', bpm: '100' },
      'phone',
      1_000,
      () => 0.5
    )
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.track).toMatchObject({
      title: 'Pocket Anthem',
      preset: 'bells',
      bpm: 100,
      bars: addedTrackBars,
      by: 'phone',
      at: 1_000
    })
    expect(isTrack(r.track)).toBe(true)
  })

  it.each([
    [{ title: '   ', preset: 'arp', bpm: '120' }, /title is needed/],
    [{ title: 'x'.repeat(61), preset: 'arp', bpm: '120' }, /at most 60/],
    [{ title: 'ok', preset: 'dubstep', bpm: '120' }, /sound/],
    [{ title: 'ok', preset: 'arp', bpm: '12' }, /60 to 200/],
    [{ title: 'ok', preset: 'arp', bpm: 'fast' }, /60 to 200/]
  ])('refuses %o', (input, error) => {
    const r = parseTrackInput(input, 'phone', 1_000)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatch(error)
  })

  it('says why a title is refused', () => {
    expect(titleProblem('fine')).toBeUndefined()
    expect(titleProblem('')).toBeDefined()
  })
})

describe('track ids and order', () => {
  it('makes valid, distinct ids', () => {
    const a = newTrackId(1, () => 0.1)
    const b = newTrackId(1, () => 0.2)
    expect(a).not.toBe(b)
    expect(isTrack({ ...good, id: a })).toBe(true)
  })

  it('orders by the time added, then id', () => {
    const t = (id: string, at: number): Track => ({ ...good, id, at })
    expect(playlistOrder([t('c', 2), t('b', 1), t('a', 2)]).map((x) => x.id)).toEqual(['b', 'a', 'c'])
  })
})
