import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  Hlc,
  InvalidCrdtStateError,
  LwwRegister,
  OrSet,
  canonicalKey,
  parseHlcTimestamp
} from '../src/crdt/index.ts'
import { MeshError } from '../src/errors.ts'

const START = 1_700_000_000_000

/** Everything fast-check can build, including the shapes JSON and CBOR never produce. */
const garbage = fc.anything({
  maxDepth: 4,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withNullPrototype: true,
  withObjectString: true,
  withSet: true,
  withSparseArray: true,
  withTypedArray: true
})

/** The drift guard is off: a well-formed far-future stamp is not garbage, only refused by policy. */
function register(): LwwRegister {
  return new LwwRegister({ clock: new Hlc({ node: 'v', wallClock: () => START, maxDriftMs: Infinity }) })
}

function sampleSet(): OrSet {
  const s = new OrSet({ node: 'a' })
  for (const x of [1, 'two', { three: [3] }, new Uint8Array([4])]) s.add(x)
  s.remove(1)
  return s
}

/** Run `f`; it may succeed, and it may only fail with InvalidCrdtStateError. */
function onlyInvalid(f: () => unknown): void {
  try {
    f()
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidCrdtStateError)
    expect(err).toMatchObject({ name: 'InvalidCrdtStateError', code: 'BAD_MESSAGE' })
  }
}

/** Replace the value at a random path inside `v` with `replacement`. */
function mutate(v: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || typeof v !== 'object' || v === null || v instanceof Uint8Array) return replacement
  const [head = 0, ...rest] = path
  if (Array.isArray(v)) {
    if (v.length === 0) return replacement
    const out = [...(v as unknown[])]
    const i = head % v.length
    out[i] = mutate(out[i], rest, replacement)
    return out
  }
  const keys = Object.keys(v)
  if (keys.length === 0) return replacement
  const k = keys[head % keys.length] as string
  return { ...v, [k]: mutate((v as Record<string, unknown>)[k], rest, replacement) }
}

describe('untrusted input', () => {
  it('arbitrary values are refused with InvalidCrdtStateError and nothing else', () => {
    fc.assert(
      fc.property(garbage, (x) => {
        onlyInvalid(() => OrSet.fromState(x, { node: 'v' }))
        onlyInvalid(() => LwwRegister.fromState(x, { clock: new Hlc({ node: 'v', maxDriftMs: Infinity }) }))
        onlyInvalid(() => parseHlcTimestamp(x))
        onlyInvalid(() => canonicalKey(x))
        const s = sampleSet()
        const before = s.state()
        onlyInvalid(() => s.applyDelta(x))
        onlyInvalid(() => s.missing(x))
        expect(s.state()).toEqual(before)
        const r = register()
        r.set('kept')
        onlyInvalid(() => r.applyDelta(x))
        onlyInvalid(() => r.missing(x))
      }),
      { numRuns: 500 }
    )
  })
  it('valid states with one part replaced by garbage are refused cleanly or accepted whole', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 6 }), garbage, (path, junk) => {
        const s = sampleSet()
        onlyInvalid(() => new OrSet({ node: 'v' }).applyDelta(mutate(s.state(), path, junk)))
        onlyInvalid(() => new OrSet({ node: 'v' }).missing(mutate(s.digest(), path, junk)))
        const r = register()
        onlyInvalid(() => register().applyDelta(mutate(r.set({ deep: ['v'] }), path, junk)))
      }),
      { numRuns: 500 }
    )
  })

  const badSets: Array<[string, unknown]> = [
    ['not a map', []],
    ['missing field', { live: [] }],
    ['unknown field', { live: [], removed: [], extra: 1 }],
    ['empty node id', { live: [['', [[1, 'x']]]], removed: [] }],
    ['zero counter', { live: [['a', [[0, 'x']]]], removed: [] }],
    ['fractional counter', { live: [['a', [[1.5, 'x']]]], removed: [] }],
    [
      'repeated node',
      {
        live: [
          ['a', [[1, 'x']]],
          ['a', [[2, 'y']]]
        ],
        removed: []
      }
    ],
    [
      'repeated tag',
      {
        live: [
          [
            'a',
            [
              [1, 'x'],
              [1, 'y']
            ]
          ]
        ],
        removed: []
      }
    ],
    ['NaN value', { live: [['a', [[1, Number.NaN]]]], removed: [] }],
    ['undefined value', { live: [['a', [[1, undefined]]]], removed: [] }],
    ['class instance', { live: [['a', [[1, new Date(0)]]]], removed: [] }],
    ['__proto__ key', { live: [['a', [[1, JSON.parse('{"__proto__":{"polluted":1}}')]]]], removed: [] }],
    ['deep value', { live: [['a', [[1, nest(40)]]]], removed: [] }],
    ['odd range list', { live: [], removed: [['a', [1, 2, 3]]] }],
    ['range end before start', { live: [], removed: [['a', [5, 4]]] }],
    ['range from zero', { live: [], removed: [['a', [0, 4]]] }]
  ]
  it.each(badSets)('OrSet refuses a state with %s', (_, state) => {
    expect(() => OrSet.fromState(state, { node: 'v' })).toThrow(InvalidCrdtStateError)
    expect(() => sampleSet().applyDelta(state)).toThrow(
      expect.objectContaining({ name: 'InvalidCrdtStateError' })
    )
  })

  it('names what is wrong', () => {
    expect(() => OrSet.fromState({ live: [], removed: [['a', [5, 4]]] }, { node: 'v' })).toThrow(
      /removed\[0\]\[1\]\[1\]/
    )
    expect(() => register().applyDelta({ ts: { wall: -1, logical: 0, node: 'a' }, value: 1 })).toThrow(
      /ts\.wall/
    )
  })

  const badTimestamps: unknown[] = [
    { wall: -1, logical: 0, node: 'a' },
    { wall: 1.5, logical: 0, node: 'a' },
    { wall: 2 ** 53, logical: 0, node: 'a' },
    { wall: 1, logical: 2 ** 32, node: 'a' },
    { wall: 1, logical: 0, node: '' },
    { wall: 1, logical: 0, node: 'x'.repeat(257) },
    { wall: 1, logical: 0 },
    { wall: '1', logical: 0, node: 'a' }
  ]
  it.each(badTimestamps)('LwwRegister refuses the timestamp %o', (ts) => {
    const r = register()
    expect(() => r.applyDelta({ ts, value: 1 })).toThrow(InvalidCrdtStateError)
    expect(r.value).toBeUndefined()
  })

  it('bounds the number of elements a state or delta may carry', () => {
    const big = new OrSet({ node: 'a' })
    for (let i = 0; i < 4; i++) big.add(i)
    expect(() => OrSet.fromState(big.state(), { node: 'v', maxElements: 3 })).toThrow(InvalidCrdtStateError)
    expect(OrSet.fromState(big.state(), { node: 'v', maxElements: 4 }).size).toBe(4)
  })
  it('refuses, whole, a merge that would overflow the bounds', () => {
    const small = new OrSet({ node: 'v', maxElements: 3 })
    small.add('mine')
    const other = new OrSet({ node: 'a' })
    for (let i = 0; i < 3; i++) other.add(i)
    const before = small.state()
    expect(() => small.applyDelta(other.state())).toThrow(expect.objectContaining({ name: 'TooLargeError' }))
    expect(() => small.merge(other)).toThrow(expect.objectContaining({ name: 'TooLargeError' }))
    expect(small.state()).toEqual(before)
    small.add('b')
    small.add('c')
    expect(() => small.add('d')).toThrow(expect.objectContaining({ name: 'TooLargeError' }))
    expect(small.size).toBe(3)
  })
  it('bounds tombstone ranges', () => {
    const s = new OrSet({ node: 'v', maxTombstoneRanges: 2 })
    const removed = [['a', [1, 1, 3, 3, 5, 5]]]
    expect(() => s.applyDelta({ live: [], removed })).toThrow(InvalidCrdtStateError)
    expect(() => s.missing({ seen: [], removed })).toThrow(InvalidCrdtStateError)
    s.applyDelta({ live: [], removed: [['a', [1, 1]]] })
    s.applyDelta({ live: [], removed: [['b', [1, 1]]] })
    expect(() => s.applyDelta({ live: [], removed: [['c', [1, 1]]] })).toThrow(
      expect.objectContaining({ name: 'TooLargeError' })
    )
  })
  it('refuses local values that are not plain data', () => {
    const s = new OrSet({ node: 'v' })
    expect(() => s.add(new Date(0) as never)).toThrow(InvalidCrdtStateError)
    expect(() => register().set(Number.POSITIVE_INFINITY)).toThrow(InvalidCrdtStateError)
    expect(s.size).toBe(0)
  })
  it('applies a value guard to inbound values', () => {
    const isString = (v: unknown): v is string => typeof v === 'string'
    const s = new OrSet<string>({ node: 'v', isValue: isString })
    expect(() => s.applyDelta({ live: [['a', [[1, 42]]]], removed: [] })).toThrow(InvalidCrdtStateError)
    s.applyDelta({ live: [['a', [[1, 'ok']]]], removed: [] })
    expect(s.values()).toEqual(['ok'])
    const r = new LwwRegister<string>({
      clock: new Hlc({ node: 'v', wallClock: () => START }),
      isValue: isString
    })
    expect(() => r.applyDelta({ ts: { wall: START, logical: 0, node: 'a' }, value: 1 })).toThrow(
      InvalidCrdtStateError
    )
    // @ts-expect-error a narrower value type must bring a guard
    new OrSet<string>({ node: 'v' })
    // @ts-expect-error a narrower value type must bring a guard
    new LwwRegister<number>({ clock: new Hlc({ node: 'v' }) })
  })
  it('errors are MeshErrors with a wire code', () => {
    expect(new InvalidCrdtStateError('x')).toBeInstanceOf(MeshError)
    expect(new InvalidCrdtStateError('x')).toMatchObject({
      name: 'InvalidCrdtStateError',
      code: 'BAD_MESSAGE'
    })
  })
})

function nest(depth: number): unknown {
  let v: unknown = 1
  for (let i = 0; i < depth; i++) v = [v]
  return v
}
