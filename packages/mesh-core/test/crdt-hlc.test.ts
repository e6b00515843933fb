import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ClockDriftError, Hlc, compareHlc } from '../src/crdt/index.ts'
import type { HlcTimestamp } from '../src/crdt/index.ts'

const START = 1_700_000_000_000
const DRIFT = 60_000

/** A wall clock the test moves by hand, backwards too. */
function manualClock(start = START): { wallClock: () => number; set(t: number): void } {
  let t = start
  return {
    wallClock: () => t,
    set(next: number) {
      t = next
    }
  }
}

type Step =
  | { kind: 'now' }
  | { kind: 'jump'; byMs: number }
  | { kind: 'receive'; aheadMs: number; logical: number; node: string }

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('now' as const) }),
  // The wall clock steps back as often as forward, by up to ten minutes.
  fc.record({ kind: fc.constant('jump' as const), byMs: fc.integer({ min: -600_000, max: 600_000 }) }),
  fc.record({
    kind: fc.constant('receive' as const),
    aheadMs: fc.integer({ min: -600_000, max: DRIFT }),
    logical: fc.nat({ max: 1_000 }),
    node: fc.constantFrom('a', 'b', 'z')
  })
)

const timestamp: fc.Arbitrary<HlcTimestamp> = fc.record({
  wall: fc.integer({ min: 0, max: 5 }),
  logical: fc.integer({ min: 0, max: 3 }),
  node: fc.constantFrom('a', 'b', 'c')
})

describe('Hlc', () => {
  it('is strictly monotonic under a wall clock that jumps backwards and remote stamps', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const clock = manualClock()
        let t = START
        const hlc = new Hlc({ node: 'm', wallClock: clock.wallClock })
        let prev = hlc.now()
        for (const s of steps) {
          if (s.kind === 'jump') {
            t = Math.max(0, t + s.byMs)
            clock.set(t)
            continue
          }
          const next =
            s.kind === 'now'
              ? hlc.now()
              : hlc.receive({ wall: Math.max(0, t + s.aheadMs), logical: s.logical, node: s.node })
          expect(compareHlc(next, prev)).toBe(1)
          prev = next
        }
      })
    )
  })
  it('receive() returns a timestamp after both the remote and everything local', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 20 }),
        fc.integer({ min: -600_000, max: DRIFT }),
        fc.nat({ max: 1_000 }),
        fc.boolean(),
        (steps, aheadMs, logical, sameWall) => {
          const clock = manualClock()
          // Drift is tested below; here a remote may be far ahead after our clock stepped back.
          const hlc = new Hlc({ node: 'm', wallClock: clock.wallClock, maxDriftMs: Infinity })
          for (const s of steps) {
            if (s.kind === 'jump') clock.set(Math.max(0, clock.wallClock() + s.byMs))
            else hlc.now()
          }
          const before = hlc.last()
          // Often the remote shares our last wall time: then only the logical counters order them.
          const wall = sameWall ? before.wall : Math.max(0, clock.wallClock() + aheadMs)
          const remote = { wall, logical, node: 'r' }
          const got = hlc.receive(remote)
          expect(compareHlc(got, remote)).toBe(1)
          expect(compareHlc(got, before)).toBe(1)
          expect(got.node).toBe('m')
        }
      )
    )
  })
  it('follows the wall clock while no remote stamp is ahead of it', () => {
    const clock = manualClock()
    const hlc = new Hlc({ node: 'm', wallClock: clock.wallClock })
    expect(hlc.now()).toEqual({ wall: START, logical: 0, node: 'm' })
    expect(hlc.now()).toEqual({ wall: START, logical: 1, node: 'm' })
    clock.set(START + 5)
    expect(hlc.now()).toEqual({ wall: START + 5, logical: 0, node: 'm' })
    clock.set(START - 1_000)
    expect(hlc.now()).toEqual({ wall: START + 5, logical: 1, node: 'm' })
    expect(hlc.receive({ wall: START + 9, logical: 7, node: 'r' })).toEqual({
      wall: START + 9,
      logical: 8,
      node: 'm'
    })
  })
  it('refuses a remote stamp more than maxDriftMs ahead, and changes nothing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 ** 12 }),
        fc.integer({ min: 0, max: 120_000 }),
        (over, drift) => {
          const clock = manualClock()
          const hlc = new Hlc({ node: 'm', wallClock: clock.wallClock, maxDriftMs: drift })
          const before = hlc.now()
          const remote = { wall: START + drift + over, logical: 0, node: 'broken' }
          expect(() => hlc.receive(remote)).toThrow(ClockDriftError)
          try {
            hlc.receive(remote)
          } catch (err) {
            expect(err).toMatchObject({ name: 'ClockDriftError', aheadMs: drift + over, code: 'BAD_MESSAGE' })
          }
          expect(hlc.last()).toEqual(before)
          // Exactly at the limit is still accepted.
          expect(hlc.receive({ wall: START + drift, logical: 0, node: 'ok' }).wall).toBe(START + drift)
        }
      )
    )
  })
  it('uses 60 s as the default drift limit', () => {
    const clock = manualClock()
    const hlc = new Hlc({ node: 'm', wallClock: clock.wallClock })
    expect(() => hlc.receive({ wall: START + 60_001, logical: 0, node: 'r' })).toThrow(ClockDriftError)
    expect(hlc.receive({ wall: START + 60_000, logical: 0, node: 'r' }).wall).toBe(START + 60_000)
  })
  it('compareHlc is a total order: wall, then logical, then node', () => {
    fc.assert(
      fc.property(timestamp, timestamp, timestamp, (a, b, c) => {
        expect(compareHlc(a, b)).toBe(-compareHlc(b, a) || 0)
        expect(compareHlc(a, b) === 0).toBe(a.wall === b.wall && a.logical === b.logical && a.node === b.node)
        if (compareHlc(a, b) <= 0 && compareHlc(b, c) <= 0) expect(compareHlc(a, c)).toBeLessThanOrEqual(0)
        if (a.wall !== b.wall) expect(compareHlc(a, b)).toBe(a.wall < b.wall ? -1 : 1)
        else if (a.logical !== b.logical) expect(compareHlc(a, b)).toBe(a.logical < b.logical ? -1 : 1)
        else if (a.node !== b.node) expect(compareHlc(a, b)).toBe(a.node < b.node ? -1 : 1)
      })
    )
  })
  it('rejects an impossible node id or drift limit', () => {
    expect(() => new Hlc({ node: '' })).toThrow(expect.objectContaining({ name: 'InvalidOptionsError' }))
    expect(() => new Hlc({ node: 'm', maxDriftMs: -1 })).toThrow(
      expect.objectContaining({ name: 'InvalidOptionsError' })
    )
  })
})
