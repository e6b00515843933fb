import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OrSet } from '../src/crdt/index.ts'
import type { OrSetDelta, PlainValue } from '../src/crdt/index.ts'
import { decodeCbor, encodeCbor } from '../src/wire/cbor.ts'

// Few distinct elements, so adds and removes collide. The two objects differ only in key
// order and must count as one element; the bytes check the byte-string key.
const element: fc.Arbitrary<PlainValue> = fc.oneof(
  fc.integer({ min: 0, max: 4 }),
  fc.constantFrom<PlainValue>('a', { k: 1, l: [2] }, { l: [2], k: 1 }, { k: 2 }, new Uint8Array([1, 2]))
)

type Op =
  | { kind: 'add' | 'remove'; at: number; x: PlainValue }
  | { kind: 'merge'; from: number; to: number }
  | { kind: 'deliver'; delta: number; to: number }

const REPLICAS = 3
const replica = fc.integer({ min: 0, max: REPLICAS - 1 })
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), at: replica, x: element }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), at: replica, x: element }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('merge' as const), from: replica, to: replica }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deliver' as const), delta: fc.nat(), to: replica }) }
)
const history = fc.array(op, { maxLength: 40 })

interface Run {
  replicas: OrSet[]
  /** Every delta a local add or remove returned. */
  deltas: OrSetDelta<PlainValue>[]
}

/** Play a history on fresh replicas: local ops, full merges, and deliveries of old deltas. */
function run(ops: Op[]): Run {
  const replicas = Array.from({ length: REPLICAS }, (_, i) => new OrSet({ node: `n${i}` }))
  const deltas: OrSetDelta<PlainValue>[] = []
  for (const o of ops) {
    if (o.kind === 'add') deltas.push(at(replicas, o.at).add(o.x))
    else if (o.kind === 'remove') deltas.push(at(replicas, o.at).remove(o.x))
    else if (o.kind === 'merge') at(replicas, o.to).merge(at(replicas, o.from))
    else if (o.kind === 'deliver') {
      if (deltas.length > 0) at(replicas, o.to).applyDelta(deltas[o.delta % deltas.length])
    }
  }
  return { replicas, deltas }
}

function at<T>(xs: T[], i: number): T {
  const x = xs[i]
  if (x === undefined) throw new Error(`no item ${i}`)
  return x
}

function copy(s: OrSet): OrSet {
  return OrSet.fromState(s.state(), { node: 'copy' })
}

function join(...sets: OrSet[]): OrSet {
  const out = new OrSet({ node: 'judge' })
  for (const s of sets) out.merge(s)
  return out
}

/** Same elements and same state, tombstones included. */
function expectSame(a: OrSet, b: OrSet): void {
  expect(a.values()).toEqual(b.values())
  expect(a.state()).toEqual(b.state())
}

describe('OrSet merge laws', () => {
  it('merge is commutative', () => {
    fc.assert(
      fc.property(history, (ops) => {
        const [a, b] = run(ops).replicas as [OrSet, OrSet]
        const ab = copy(a)
        ab.merge(b)
        const ba = copy(b)
        ba.merge(a)
        expectSame(ab, ba)
      })
    )
  })
  it('merge is associative', () => {
    fc.assert(
      fc.property(history, (ops) => {
        const [a, b, c] = run(ops).replicas as [OrSet, OrSet, OrSet]
        const left = copy(a)
        left.merge(b)
        left.merge(c)
        const bc = copy(b)
        bc.merge(c)
        const right = copy(a)
        right.merge(bc)
        expectSame(left, right)
      })
    )
  })
  it('merge is idempotent', () => {
    fc.assert(
      fc.property(history, (ops) => {
        const [a, b] = run(ops).replicas as [OrSet, OrSet]
        const self = copy(a)
        expect(self.merge(a)).toBe(false)
        expectSame(self, a)
        const ab = copy(a)
        ab.merge(b)
        const abb = copy(ab)
        expect(abb.merge(b)).toBe(false)
        expectSame(abb, ab)
      })
    )
  })
  it('deltas applied in any order, with duplicates, after a CBOR round trip, converge', () => {
    fc.assert(
      fc.property(history, fc.gen(), (ops, g) => {
        const { replicas, deltas } = run(ops)
        const again = g(fc.subarray, deltas)
        const order = g(fc.shuffledSubarray, [...deltas, ...again], {
          minLength: deltas.length + again.length
        })
        const observer = new OrSet({ node: 'observer' })
        for (const d of order) observer.applyDelta(decodeCbor(encodeCbor(d)))
        expectSame(observer, join(...replicas))
      })
    )
  })
  it('state survives a CBOR round trip', () => {
    fc.assert(
      fc.property(history, (ops) => {
        const [a] = run(ops).replicas as [OrSet]
        expectSame(OrSet.fromState(decodeCbor(encodeCbor(a.state())), { node: 'copy' }), a)
      })
    )
  })
})

describe('OrSet semantics', () => {
  it('add then remove on one replica removes; elements are compared by canonical key', () => {
    const s = new OrSet({ node: 'a' })
    s.add({ k: 1, l: [2] })
    expect(s.has({ l: [2], k: 1 })).toBe(true)
    s.add({ l: [2], k: 1 })
    expect(s.size).toBe(1)
    s.remove({ l: [2], k: 1 })
    expect(s.has({ k: 1, l: [2] })).toBe(false)
    expect(s.values()).toEqual([])
  })
  it('add wins over a concurrent remove of the same element', () => {
    fc.assert(
      fc.property(history, element, fc.boolean(), (ops, x, removerFirst) => {
        const [a, b, c] = run(ops).replicas as [OrSet, OrSet, OrSet]
        const added = a.add(x)
        const removed = b.remove(x)
        a.applyDelta(removed)
        b.applyDelta(added)
        for (const d of removerFirst ? [removed, added] : [added, removed]) c.applyDelta(d)
        expect(a.has(x)).toBe(true)
        expect(b.has(x)).toBe(true)
        expect(c.has(x)).toBe(true)
      })
    )
  })
  it('a remove that observed the add removes it, and re-merging old state does not bring it back', () => {
    fc.assert(
      fc.property(history, element, (ops, x) => {
        const [a, b] = run(ops).replicas as [OrSet, OrSet]
        b.applyDelta(a.add(x))
        const stale = copy(a)
        const removed = b.remove(x)
        expect(b.has(x)).toBe(false)
        a.applyDelta(removed)
        expect(a.has(x)).toBe(false)
        a.merge(stale)
        b.merge(stale)
        b.applyDelta(stale.state())
        expect(a.has(x)).toBe(false)
        expect(b.has(x)).toBe(false)
      })
    )
  })
  it('a remove delivered before its add still wins over that add', () => {
    const a = new OrSet({ node: 'a' })
    const b = new OrSet({ node: 'b' })
    const c = new OrSet({ node: 'c' })
    const added = a.add('x')
    b.applyDelta(added)
    const removed = b.remove('x')
    c.applyDelta(removed)
    c.applyDelta(added)
    expect(c.has('x')).toBe(false)
    expect(c.values()).toEqual([])
  })
  it('one tag minted twice with different values (a broken peer) still converges', () => {
    const one = { live: [['bad', [[1, 'x']]]], removed: [] }
    const two = { live: [['bad', [[1, 'y']]]], removed: [] }
    const ab = new OrSet({ node: 'a' })
    ab.applyDelta(one)
    ab.applyDelta(two)
    const ba = new OrSet({ node: 'b' })
    ba.applyDelta(two)
    ba.applyDelta(one)
    expectSame(ab, ba)
    expect(ab.size).toBe(1)
  })
  it('a replica never reuses a tag it sees a peer already knows, even after losing its state', () => {
    const a = new OrSet({ node: 'a' })
    const b = new OrSet({ node: 'b' })
    b.applyDelta(a.add('x'))
    b.applyDelta(a.remove('x'))
    const reborn = OrSet.fromState(b.state(), { node: 'a' })
    const readded = reborn.add('x')
    b.applyDelta(readded)
    expect(b.has('x')).toBe(true)
  })
})

describe('OrSet anti-entropy', () => {
  it('exchanging missing() for each other digest makes two replicas equal to their join', () => {
    fc.assert(
      fc.property(history, (ops) => {
        const [a, b] = run(ops).replicas as [OrSet, OrSet]
        const expected = join(a, b)
        const forB = a.missing(decodeCbor(encodeCbor(b.digest())))
        const forA = b.missing(decodeCbor(encodeCbor(a.digest())))
        a.applyDelta(forA)
        b.applyDelta(forB)
        expectSame(a, expected)
        expectSame(b, expected)
      })
    )
  })
  it('sends nothing to a replica that is up to date', () => {
    fc.assert(
      fc.property(history, (ops) => {
        const [a] = run(ops).replicas as [OrSet]
        expect(a.missing(copy(a).digest())).toEqual({ live: [], removed: [] })
      })
    )
  })
  it('sends only what the other lacks', () => {
    const a = new OrSet({ node: 'a' })
    for (let i = 0; i < 100; i++) a.add(i)
    for (let i = 0; i < 50; i++) a.remove(i)
    const b = copy(a)
    a.add('new')
    a.remove(99)
    const delta = a.missing(b.digest())
    expect(delta.live).toEqual([['a', [[101, 'new']]]])
    expect(delta.removed).toEqual([['a', [100, 100]]])
    expect(a.digest().removed).toEqual([['a', [1, 50, 100, 100]]])
  })
})
