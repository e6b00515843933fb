import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DotSet } from '../src/crdt/dots.ts'

type Dot = readonly [node: string, counter: number]

const dot: fc.Arbitrary<Dot> = fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 1, max: 30 }))
const dots = fc.oneof(
  fc.array(dot, { maxLength: 40 }),
  // Dense: long runs that the other operand cuts into.
  fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 1, max: 12 })), { maxLength: 30 })
)

/** The model: a plain set of "node/counter" strings. */
function model(ds: readonly Dot[]): Set<string> {
  return new Set(ds.map(([n, c]) => `${n}/${c}`))
}

/** Every dot the set holds, by asking `has` over the whole small domain. */
function contents(s: DotSet): Set<string> {
  const out = new Set<string>()
  for (const n of ['a', 'b', 'c']) for (let c = 0; c <= 32; c++) if (s.has(n, c)) out.add(`${n}/${c}`)
  return out
}

/** Ranges are sorted, disjoint and never adjacent: the encoding of a set is unique. */
function expectCanonical(s: DotSet): void {
  const ranges = s.toRanges()
  expect(ranges.map(([n]) => n)).toEqual([...ranges.map(([n]) => n)].sort())
  let count = 0
  for (const [, flat] of ranges) {
    expect(flat.length).toBeGreaterThan(0)
    for (let i = 0; i < flat.length; i += 2) {
      const [s0, e0] = [flat[i] as number, flat[i + 1] as number]
      expect(s0).toBeLessThanOrEqual(e0)
      if (i > 0) expect(s0).toBeGreaterThan((flat[i - 1] as number) + 1)
      count++
    }
  }
  expect(s.ranges).toBe(count)
}

describe('DotSet', () => {
  it('holds exactly the dots added, in canonical ranges', () => {
    fc.assert(
      fc.property(dots, (ds) => {
        const one = new DotSet()
        for (const [n, c] of ds) one.add(n, c)
        const bulk = DotSet.of(ds)
        expect(contents(one)).toEqual(model(ds))
        expect(bulk.toRanges()).toEqual(one.toRanges())
        expectCanonical(one)
        for (const n of ['a', 'b', 'c']) {
          expect(one.max(n)).toBe(Math.max(0, ...ds.filter(([m]) => m === n).map(([, c]) => c)))
        }
      })
    )
  })
  it('union and subtract match the set operations', () => {
    fc.assert(
      fc.property(dots, dots, (xs, ys) => {
        const x = DotSet.of(xs)
        const y = DotSet.of(ys)
        const u = x.union(y)
        const d = x.subtract(y)
        expect(contents(u)).toEqual(model([...xs, ...ys]))
        const my = model(ys)
        expect(contents(d)).toEqual(new Set([...model(xs)].filter((k) => !my.has(k))))
        expectCanonical(u)
        expectCanonical(d)
        // Neither operand changes.
        expect(contents(x)).toEqual(model(xs))
        expect(contents(y)).toEqual(model(ys))
      })
    )
  })
  it('subtract cuts ranges at both ends', () => {
    const whole = DotSet.parse([['a', [1, 10]]], 'r', 10)
    const holes = DotSet.parse([['a', [3, 4, 10, 12]]], 'r', 10)
    expect(whole.subtract(holes).toRanges()).toEqual([['a', [1, 2, 5, 9]]])
    expect(holes.subtract(whole).toRanges()).toEqual([['a', [11, 12]]])
  })
  it('parse accepts its own encoding, and unsorted, overlapping ranges', () => {
    fc.assert(
      fc.property(dots, (ds) => {
        const s = DotSet.of(ds)
        expect(DotSet.parse(s.toRanges(), 'r', 1_000).toRanges()).toEqual(s.toRanges())
      })
    )
    expect(DotSet.parse([['a', [5, 9, 1, 3, 2, 6]]], 'r', 10).toRanges()).toEqual([['a', [1, 9]]])
  })
  it('parse bounds the total number of ranges', () => {
    expect(() =>
      DotSet.parse(
        [
          ['a', [1, 1, 3, 3]],
          ['b', [1, 1]]
        ],
        'r',
        2
      )
    ).toThrow(expect.objectContaining({ name: 'InvalidCrdtStateError' }))
  })
})
