import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { matches, matchesOne } from '../src/capabilities/match.ts'
import { capabilitiesProblem, needsProblem } from '../src/capabilities/validate.ts'
import type { Capabilities, CapabilityValue, Needs } from '../src/types.ts'

describe('matching rules (DESIGN.md)', () => {
  it('number: the peer value is at least the need', () => {
    expect(matchesOne(4, 2)).toBe(true)
    expect(matchesOne(2, 2)).toBe(true)
    expect(matchesOne(1, 2)).toBe(false)
    expect(matchesOne('4', 2)).toBe(false)
    expect(matchesOne(undefined, 0)).toBe(false)
  })
  it('true: true, a number > 0, a non-empty string or list', () => {
    expect(matchesOne(true, true)).toBe(true)
    expect(matchesOne(2, true)).toBe(true)
    expect(matchesOne(0, true)).toBe(false)
    expect(matchesOne('usb', true)).toBe(true)
    expect(matchesOne('', true)).toBe(false)
    expect(matchesOne(['a'], true)).toBe(true)
    expect(matchesOne([], true)).toBe(false)
    expect(matchesOne(false, true)).toBe(false)
    expect(matchesOne(undefined, true)).toBe(false)
  })
  it('false: the peer says it lacks the capability', () => {
    expect(matchesOne(false, false)).toBe(true)
    expect(matchesOne(0, false)).toBe(true)
    expect(matchesOne(true, false)).toBe(false)
    expect(matchesOne(undefined, false)).toBe(false)
  })
  it('string: equal, or contained in the peer list', () => {
    expect(matchesOne('linux', 'linux')).toBe(true)
    expect(matchesOne('darwin', 'linux')).toBe(false)
    expect(matchesOne(['h264', 'vp8'], 'vp8')).toBe(true)
    expect(matchesOne(['h264'], 'vp8')).toBe(false)
    expect(matchesOne(1, '1')).toBe(false)
  })
  it('string[]: all contained', () => {
    expect(matchesOne(['a', 'b', 'c'], ['a', 'c'])).toBe(true)
    expect(matchesOne(['a', 'b'], ['a', 'z'])).toBe(false)
    expect(matchesOne('a', ['a'])).toBe(true)
    expect(matchesOne('a', ['a', 'b'])).toBe(false)
    expect(matchesOne(['a'], [])).toBe(true)
  })
  it('{min, max}: a number in range, bounds inclusive', () => {
    expect(matchesOne(5, { min: 1, max: 5 })).toBe(true)
    expect(matchesOne(0, { min: 1 })).toBe(false)
    expect(matchesOne(9, { max: 8 })).toBe(false)
    expect(matchesOne(true, { min: 0 })).toBe(false)
    expect(matchesOne(undefined, {})).toBe(false)
  })
  it('every key must hold; empty needs match any peer', () => {
    const caps: Capabilities = { cpu: 4, gpu: 2, camera: true, os: 'linux' }
    expect(matches(caps, {})).toBe(true)
    expect(matches({}, {})).toBe(true)
    expect(matches(caps, { cpu: 4, camera: true })).toBe(true)
    expect(matches(caps, { cpu: 4, gpu: 3 })).toBe(false)
    expect(matches(caps, { storage: 1 })).toBe(false)
  })
  it('inherited object keys are not capabilities', () => {
    expect(matches({}, { toString: true })).toBe(false)
    expect(matches({}, { constructor: true })).toBe(false)
  })
})

describe('bounds', () => {
  it('rejects bad capability sets with a reason', () => {
    expect(capabilitiesProblem({ cpu: 4, tags: ['a'] })).toBeUndefined()
    expect(capabilitiesProblem({ '': 1 })).toMatch(/key/)
    expect(capabilitiesProblem({ x: Number.NaN })).toMatch(/finite/)
    expect(capabilitiesProblem({ x: { nested: 1 } })).toMatch(/must be/)
    expect(capabilitiesProblem({ x: 'y'.repeat(300) })).toMatch(/at most/)
    expect(
      capabilitiesProblem(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])))
    ).toMatch(/more than/)
    expect(capabilitiesProblem([1])).toMatch(/object/)
  })
  it('rejects malformed needs', () => {
    expect(needsProblem({ cpu: { min: 1, max: 2 } })).toBeUndefined()
    expect(needsProblem({ cpu: { min: 'x' } })).toMatch(/min/)
    expect(needsProblem({ cpu: { at: 1 } })).toMatch(/range/)
    expect(needsProblem(null)).toMatch(/object/)
  })
})

const key = fc.constantFrom('cpu', 'gpu', 'camera', 'os', 'codecs', 'storage', 'battery')
const value: fc.Arbitrary<CapabilityValue> = fc.oneof(
  fc.integer({ min: -2, max: 8 }),
  fc.boolean(),
  fc.constantFrom('linux', 'android', 'a', ''),
  fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 })
)
const caps = fc.dictionary(key, value, { maxKeys: 5 })
const need = fc.oneof(value, fc.record({ min: fc.integer({ min: -2, max: 8 }) }, { requiredKeys: [] }))
const needs: fc.Arbitrary<Needs> = fc.dictionary(key, need, { maxKeys: 4 })

describe('matching laws (property-based)', () => {
  it('adding a capability under a new key never removes a match', () => {
    fc.assert(
      fc.property(caps, needs, key, value, (c, n, k, v) => {
        fc.pre(!(k in c))
        if (matches(c, n)) expect(matches({ ...c, [k]: v }, n)).toBe(true)
      })
    )
  })
  it('dropping a need never removes a match', () => {
    fc.assert(
      fc.property(caps, needs, (c, n) => {
        if (!matches(c, n)) return
        for (const k of Object.keys(n)) {
          const { [k]: _dropped, ...rest } = n
          expect(matches(c, rest)).toBe(true)
        }
      })
    )
  })
  it('a peer matches needs made from its own capabilities', () => {
    fc.assert(
      fc.property(caps, (c) => {
        expect(matches(c, c)).toBe(true)
      })
    )
  })
  it('a larger number still matches a numeric need', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (have, want) => {
        if (matchesOne(have, want)) expect(matchesOne(have + 1, want)).toBe(true)
      })
    )
  })
})
