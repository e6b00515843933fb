import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ClockDriftError, Hlc, LwwRegister, compareHlc } from '../src/crdt/index.ts'
import type { LwwRegisterDelta, PlainValue } from '../src/crdt/index.ts'
import { decodeCbor, encodeCbor } from '../src/wire/cbor.ts'

const START = 1_700_000_000_000
/** Replica clocks stay within ±SKEW of true time, so they never trip the 60 s drift guard. */
const SKEW = 25_000
const REPLICAS = 3

type Op =
  | { kind: 'set'; at: number; value: PlainValue }
  | { kind: 'merge'; from: number; to: number }
  | { kind: 'deliver'; delta: number; to: number }
  | { kind: 'skew'; at: number; ms: number }
  | { kind: 'tick'; ms: number }

const replica = fc.integer({ min: 0, max: REPLICAS - 1 })
const value: fc.Arbitrary<PlainValue> = fc.oneof(
  fc.integer({ min: 0, max: 3 }),
  fc.constantFrom<PlainValue>('x', { a: 1, b: 2 }, { b: 2, a: 1 }, [1, 'y'])
)
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), at: replica, value }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('merge' as const), from: replica, to: replica }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('deliver' as const), delta: fc.nat(), to: replica })
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('skew' as const),
      at: replica,
      ms: fc.integer({ min: -SKEW, max: SKEW })
    })
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 3 }) })
  }
)
const history = fc.array(op, { maxLength: 40 })

interface Run {
  replicas: LwwRegister[]
  deltas: LwwRegisterDelta<PlainValue>[]
  /** True time at the end, in ms. */
  now: number
}

/** Play a history on replicas whose wall clocks are skewed, and step back, independently. */
function run(ops: Op[]): Run {
  let now = START
  const skews = Array.from({ length: REPLICAS }, () => 0)
  const replicas = skews.map(
    (_, i) => new LwwRegister({ clock: new Hlc({ node: `n${i}`, wallClock: () => now + (skews[i] ?? 0) }) })
  )
  const deltas: LwwRegisterDelta<PlainValue>[] = []
  for (const o of ops) {
    if (o.kind === 'set') deltas.push(at(replicas, o.at).set(o.value))
    else if (o.kind === 'merge') at(replicas, o.to).merge(at(replicas, o.from))
    else if (o.kind === 'deliver') {
      if (deltas.length > 0) at(replicas, o.to).applyDelta(deltas[o.delta % deltas.length])
    } else if (o.kind === 'skew') skews[o.at] = o.ms
    else now += o.ms
  }
  return { replicas, deltas, now }
}

function at<T>(xs: T[], i: number): T {
  const x = xs[i]
  if (x === undefined) throw new Error(`no item ${i}`)
  return x
}

/** A replica whose clock is ahead of every other, so it accepts anything they wrote. */
function judge(now: number): LwwRegister {
  return new LwwRegister({ clock: new Hlc({ node: 'judge', wallClock: () => now + SKEW }) })
}

function copy(r: LwwRegister, now: number): LwwRegister {
  const out = judge(now)
  out.merge(r)
  return out
}

function expectSame(a: LwwRegister, b: LwwRegister): void {
  expect(a.value).toEqual(b.value)
  expect(a.state()).toEqual(b.state())
}

describe('LwwRegister merge laws', () => {
  it('merge is commutative, associative and idempotent', () => {
    fc.assert(
      fc.property(history, (ops) => {
        const { replicas, now } = run(ops)
        const [a, b, c] = replicas as [LwwRegister, LwwRegister, LwwRegister]
        const ab = copy(a, now)
        ab.merge(b)
        const ba = copy(b, now)
        ba.merge(a)
        expectSame(ab, ba)

        const left = copy(ab, now)
        left.merge(c)
        const bc = copy(b, now)
        bc.merge(c)
        const right = copy(a, now)
        right.merge(bc)
        expectSame(left, right)

        const again = copy(ab, now)
        expect(again.merge(ab)).toBe(false)
        expect(again.merge(b)).toBe(false)
        expectSame(again, ab)
      })
    )
  })
  it('deltas applied in any order, with duplicates, converge on the latest write', () => {
    fc.assert(
      fc.property(history, fc.gen(), (ops, g) => {
        const { replicas, deltas, now } = run(ops)
        const again = g(fc.subarray, deltas)
        const order = g(fc.shuffledSubarray, [...deltas, ...again], {
          minLength: deltas.length + again.length
        })
        const observer = judge(now)
        for (const d of order) observer.applyDelta(decodeCbor(encodeCbor(d)))
        const all = judge(now)
        for (const r of replicas) all.merge(r)
        expectSame(observer, all)
        const latest = deltas.reduce<LwwRegisterDelta<PlainValue> | undefined>(
          (best, d) => (best === undefined || compareHlc(d.ts, best.ts) > 0 ? d : best),
          undefined
        )
        expect(observer.state()).toEqual(latest ?? null)
      })
    )
  })
  it('a write made after seeing another wins, even from a clock that runs behind', () => {
    let now = START
    const ahead = new LwwRegister({ clock: new Hlc({ node: 'ahead', wallClock: () => now + 30_000 }) })
    const behind = new LwwRegister({ clock: new Hlc({ node: 'behind', wallClock: () => now - 20_000 }) })
    const first = ahead.set('first')
    now += 1_000
    behind.applyDelta(first)
    const second = behind.set('second')
    expect(second.ts.wall).toBe(first.ts.wall)
    expect(ahead.applyDelta(second)).toBe(true)
    expect(ahead.value).toBe('second')
    expect(behind.value).toBe('second')
  })
  it('equal timestamps with different values (a broken peer) still merge to one winner', () => {
    const ts = { wall: START, logical: 0, node: 'dup' }
    const values: PlainValue[] = ['b', 'a']
    const results = [values, [...values].reverse()].map((order) => {
      const r = judge(START)
      for (const v of order) r.applyDelta({ ts, value: v })
      return r.value
    })
    expect(results[0]).toEqual(results[1])
  })
  it('refuses a delta from a clock too far ahead, and keeps its value', () => {
    const r = judge(START)
    r.set('mine')
    expect(() =>
      r.applyDelta({ ts: { wall: START + SKEW + 60_001, logical: 0, node: 'x' }, value: 'bad' })
    ).toThrow(ClockDriftError)
    expect(r.value).toBe('mine')
  })
  it('copies values on the way in', () => {
    const r = judge(START)
    const v = { n: 1 }
    r.set(v)
    v.n = 2
    expect(r.value).toEqual({ n: 1 })
  })
})

describe('LwwRegister anti-entropy', () => {
  it('missing() sends the entry only to a replica that is behind', () => {
    fc.assert(
      fc.property(history, (ops) => {
        const { replicas, now } = run(ops)
        const [a, b] = replicas as [LwwRegister, LwwRegister]
        const expected = copy(a, now)
        expected.merge(b)
        const forB = a.missing(decodeCbor(encodeCbor(b.digest())))
        const forA = b.missing(decodeCbor(encodeCbor(a.digest())))
        expect(forA === undefined || forB === undefined).toBe(true)
        if (forA !== undefined) a.applyDelta(forA)
        if (forB !== undefined) b.applyDelta(forB)
        expect(a.state()).toEqual(expected.state())
        expect(b.state()).toEqual(expected.state())
        expect(a.missing(b.digest())).toBeUndefined()
      })
    )
  })
  it('an empty register has nothing to send and takes anything', () => {
    const r = judge(START)
    expect(r.digest()).toBeNull()
    expect(r.missing(null)).toBeUndefined()
    r.set(1)
    expect(r.missing(null)).toEqual(r.state())
  })
})
