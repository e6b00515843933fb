import type { ActorBehaviour, ActorContext, OrSetState } from 'mesh-core'
import { describe, expect, it } from 'vitest'
import { parseSessionMessage, sessionBehaviour } from '../src/music/session'
import type { SessionDeps } from '../src/music/session'
import { isNowPlaying, parseSessionState, viewedBeat } from '../src/music/session-state'
import type { NowPlaying, SessionSnapshot, SessionState } from '../src/music/session-state'
import type { Track } from '../src/music/tracks'

const laptop = { id: '12D3KooWLaptop', name: 'laptop' }
const phone = { id: '12D3KooWPhone', name: 'phone' }
const pid = `${laptop.id}/s1`
// 120 bpm at 100 %: 500 ms a beat.
const tracks: Track[] = [
  { id: 'a', title: 'A', preset: 'arp', bpm: 120, bars: 8, by: 'x', at: 1 },
  { id: 'b', title: 'B', preset: 'pulse', bpm: 120, bars: 8, by: 'x', at: 2 },
  { id: 'c', title: 'C', preset: 'bells', bpm: 60, bars: 8, by: 'x', at: 3 }
]
const emptySet: OrSetState<never> = { live: [], removed: [] }

/** A page: a fake player whose sound starts 20 ms after a resume and stops 5 ms after a stop. */
function page(self: { id: string; name: string }, o: { canSound?: boolean; votes?: string[] } = {}) {
  const clock = { now: 10_000 }
  const log: string[] = []
  const published: NowPlaying[] = []
  let votes = o.votes ?? []
  const deps: SessionDeps = {
    self: () => self,
    now: () => clock.now,
    player: {
      resume(track, beat) {
        log.push(`resume ${track.id}@${beat}`)
        return o.canSound === false ? null : clock.now + 20
      },
      follow(track, t) {
        log.push(`follow ${track.id}@${t.beat}/${t.anchorAt}`)
      },
      stop() {
        log.push('stop')
        return { stoppedAt: clock.now + 5, sounding: true }
      }
    },
    tracks: () => tracks,
    voteEntries: () => votes,
    playlistState: () => emptySet,
    voteState: () => emptySet,
    merge: () => log.push('merge'),
    consumeVotes: (id) => {
      votes = votes.filter((v) => !v.startsWith(`${id}|`))
    },
    publish: (n) => published.push(n),
    hosting: (p) => log.push(`hosting ${p}`),
    leaving: (p) => log.push(`leaving ${p}`),
    gone: (p) => log.push(`gone ${p}`)
  }
  const behaviour = sessionBehaviour(deps) as Required<ActorBehaviour<SessionState, unknown>>
  return { behaviour, clock, log, published, votes: () => votes }
}

function ctx(from = laptop.id): ActorContext & { replies: unknown[] } {
  const replies: unknown[] = []
  return {
    self: pid,
    from,
    replies,
    reply: (v) => replies.push(v),
    send: () => undefined,
    call: () => Promise.reject(new Error('no calls here')),
    stop: () => undefined
  }
}

async function start(p: ReturnType<typeof page>): Promise<SessionState> {
  return await p.behaviour.init({}, ctx())
}

async function send(p: ReturnType<typeof page>, s: SessionState, m: unknown, from?: string) {
  const c = ctx(from)
  const next = (await p.behaviour.handle(m, s, c)) ?? s
  return { state: next, replies: c.replies }
}

describe('the music.session actor', () => {
  it('starts the first track at beat 0 where the player sounds it, and publishes it', async () => {
    const p = page(laptop)
    const s = await start(p)
    expect(s).toMatchObject({
      pid,
      host: laptop.id,
      hostName: 'laptop',
      trackId: 'a',
      playing: true,
      beat: 0,
      anchorAt: 10_020
    })
    expect(p.log.slice(0, 2)).toEqual([`hosting ${pid}`, 'resume a@0'])
    expect(p.published.at(-1)).toMatchObject({
      title: 'A',
      host: laptop.id,
      playing: true,
      msPerBeat: 500,
      lengthBeats: 32
    })
    expect(isNowPlaying(p.published.at(-1))).toBe(true)
  })

  it('answers get with the position now', async () => {
    const p = page(laptop)
    const s = await start(p)
    p.clock.now = 10_020 + 3_000
    const { replies } = await send(p, s, { get: true })
    const snap = replies[0] as SessionSnapshot
    expect(snap.beat).toBe(6)
    expect(snap.positionMs).toBe(3_000)
    expect(snap.tracks.map((t) => t.id)).toEqual(['a', 'b', 'c'])
  })

  it('moves: the target goes on from the beat the source stopped at, and measures the gap', async () => {
    const src = page(laptop)
    const s = await start(src)
    src.clock.now = 10_020 + 2_000
    const data = src.behaviour.beforeHandoff(s)
    // The source stopped 5 ms later, at beat 4.01.
    expect(src.log.slice(-2)).toEqual(['stop', `leaving ${pid}`])
    expect(data).toMatchObject({
      beat: 4.01,
      departure: { from: laptop.id, stoppedAt: 12_025, sounding: true }
    })

    const dst = page(phone)
    dst.clock.now = 12_060
    const arrived = dst.behaviour.afterHandoff(structuredClone(data))
    expect(dst.log).toContain('resume a@4.01')
    expect(dst.log).toContain(`hosting ${pid}`)
    expect(arrived).toMatchObject({
      host: phone.id,
      hostName: 'phone',
      beat: 4.01,
      anchorAt: 12_080,
      moves: 1,
      departure: null
    })
    expect(arrived.lastMove).toEqual({
      from: laptop.id,
      fromName: 'laptop',
      to: phone.id,
      toName: 'phone',
      stoppedAt: 12_025,
      startedAt: 12_080,
      gapMs: 55,
      beat: 4.01
    })
    expect(dst.published.at(-1)).toMatchObject({ host: phone.id, hostName: 'phone', lastMove: { gapMs: 55 } })
    dst.clock.now = 12_080 + 1_000
    const { replies } = await send(dst, arrived, { get: true }, phone.id)
    expect((replies[0] as SessionSnapshot).beat).toBeCloseTo(6.01)
  })

  it('records no gap when the target cannot sound (autoplay), but keeps the position moving', async () => {
    const src = page(laptop)
    const data = src.behaviour.beforeHandoff(await start(src))
    const dst = page(phone, { canSound: false })
    const arrived = dst.behaviour.afterHandoff(data)
    expect(arrived.lastMove).toMatchObject({ startedAt: null, gapMs: null })
    expect(arrived.playing).toBe(true)
    expect(arrived.anchorAt).toBe(dst.clock.now)
  })

  it('refuses a malformed handed-off state, so the handoff fails and the source keeps it', () => {
    const dst = page(phone)
    for (const bad of [null, 'x', { pid }, { ...({} as SessionState), beat: -1 }])
      expect(() => dst.behaviour.afterHandoff(bad)).toThrow(TypeError)
    expect(dst.log).toEqual([])
  })

  it('plays on here from the stop position when a handoff failed (handoffAborted)', async () => {
    const p = page(laptop)
    const s = await start(p)
    p.clock.now = 11_020
    const trip = p.behaviour.beforeHandoff(s) as SessionState
    p.clock.now = 13_000
    const state = p.behaviour.handoffAborted(trip, 'refused')!
    expect(p.log.slice(-3)).toEqual([`hosting ${pid}`, 'resume a@2.01', 'follow a@2.01/13020'])
    expect(state).toMatchObject({ beat: 2.01, anchorAt: 13_020, playing: true })
  })

  it('moves on to the most voted track where the last one ends, and uses up its votes', async () => {
    const p = page(laptop, { votes: [`c|${phone.id}`, `c|${laptop.id}`, `b|${phone.id}`] })
    // The most voted track starts the session.
    const s = await start(p)
    expect(s.trackId).toBe('c')
    expect(p.votes()).toEqual([`b|${phone.id}`])
    const ignored = await send(p, s, { ended: { trackId: 'c', at: 42_020 } }, phone.id)
    expect(ignored.state.trackId).toBe('c')
    const wrong = await send(p, s, { ended: { trackId: 'a', at: 42_020 } })
    expect(wrong.state.trackId).toBe('c')
    const { state } = await send(p, s, { ended: { trackId: 'c', at: 42_020 } })
    // b has a vote; a, first after c in order, has none.
    expect(state).toMatchObject({ trackId: 'b', beat: 0, anchorAt: 42_020 })
    expect(p.log.at(-1)).toBe('follow b@0/42020')
    expect(p.votes()).toEqual([])
  })

  it('moves on at a tick when the end passed unheard', async () => {
    const p = page(laptop)
    const s = await start(p)
    p.clock.now = 10_020 + 40 * 500
    const { state } = await send(p, s, { tick: true })
    expect(state).toMatchObject({ trackId: 'b', beat: 0, anchorAt: 10_020 + 32 * 500 })
  })

  it('pauses at the beat it stopped on, plays on from it, and re-anchors on a tempo change', async () => {
    const p = page(laptop)
    let s = await start(p)
    p.clock.now = 11_020
    s = (await send(p, s, { pause: true })).state
    expect(s).toMatchObject({ playing: false, beat: 2.01 })
    p.clock.now = 50_000
    s = (await send(p, s, { play: true })).state
    expect(s).toMatchObject({ playing: true, beat: 2.01, anchorAt: 50_020 })
    p.clock.now = 50_520
    s = (await send(p, s, { tempo: 250 })).state
    expect(s).toMatchObject({ tempo: 200, beat: 3.01, anchorAt: 50_540 })
    s = (await send(p, s, { skip: true })).state
    expect(s).toMatchObject({ trackId: 'b', beat: 0 })
  })

  it('ignores messages it does not know, without crashing', async () => {
    const p = page(laptop)
    const s = await start(p)
    for (const m of [
      null,
      1,
      'play',
      [],
      { tempo: 'fast' },
      { ended: { trackId: 1, at: 2 } },
      { ended: { trackId: 'a', at: Infinity } }
    ])
      expect(parseSessionMessage(m)).toBeUndefined()
    expect(await p.behaviour.handle({ evil: true }, s, ctx())).toBeUndefined()
  })

  it('publishes that no session runs when it stops', async () => {
    const p = page(laptop)
    const s = await start(p)
    await p.behaviour.terminate('normal', s)
    expect(p.log.slice(-2)).toEqual(['stop', `gone ${pid}`])
    expect(p.published.at(-1)).toMatchObject({ host: '', playing: false })
  })
})

describe('now playing, as viewers read it', () => {
  const n: NowPlaying = {
    pid,
    host: laptop.id,
    hostName: 'laptop',
    trackId: 'a',
    title: 'A',
    playing: true,
    beat: 4,
    sampledAt: 1_000,
    msPerBeat: 500,
    lengthBeats: 32,
    tempo: 100,
    lastMove: null,
    moves: 0
  }

  it('extrapolates the position from when it was sampled', () => {
    expect(viewedBeat(n, 2_000)).toBe(6)
    expect(viewedBeat({ ...n, playing: false }, 2_000)).toBe(4)
    expect(viewedBeat(n, 1e9)).toBe(32)
  })

  it('refuses garbage from the replica', () => {
    expect(isNowPlaying(n)).toBe(true)
    for (const bad of [
      null,
      [],
      { ...n, msPerBeat: 0 },
      { ...n, beat: -1 },
      { ...n, hostName: 'x'.repeat(200) },
      { ...n, lastMove: { from: 1 } },
      { ...n, moves: 1.5 }
    ])
      expect(isNowPlaying(bad)).toBe(false)
  })

  it('checks a handed-off state field by field', () => {
    const ok: SessionState = {
      pid,
      host: laptop.id,
      hostName: 'laptop',
      trackId: null,
      playing: false,
      beat: 0,
      anchorAt: 0,
      tempo: 100,
      playlist: emptySet,
      votes: emptySet,
      lastMove: null,
      moves: 0,
      departure: null
    }
    expect(parseSessionState(ok)).toEqual(ok)
    expect(parseSessionState({ ...ok, playlist: 'x' })).toBeUndefined()
    expect(parseSessionState({ ...ok, departure: { from: 'x' } })).toBeUndefined()
    expect(parseSessionState({ ...ok, anchorAt: Number.NaN })).toBeUndefined()
  })
})
