import type { CapabilityValue, Capabilities, Needs, Range } from '../types.ts'

function isRange(v: unknown): v is Range {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function truthy(v: CapabilityValue | undefined): boolean {
  if (v === undefined) return false
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return v > 0
  return v.length > 0
}

function contains(have: CapabilityValue | undefined, want: string): boolean {
  if (typeof have === 'string') return have === want
  if (Array.isArray(have)) return have.includes(want)
  return false
}

/** Whether one capability value satisfies one need. */
export function matchesOne(have: CapabilityValue | undefined, want: CapabilityValue | Range): boolean {
  if (isRange(want)) {
    if (typeof have !== 'number') return false
    if (want.min !== undefined && have < want.min) return false
    if (want.max !== undefined && have > want.max) return false
    return true
  }
  if (typeof want === 'number') return typeof have === 'number' && have >= want
  if (want === true) return truthy(have)
  // Only a peer that says "false" matches false, so adding a capability never removes a match.
  if (want === false) return have !== undefined && !truthy(have)
  if (typeof want === 'string') return contains(have, want)
  return want.every((w) => contains(have, w))
}

/**
 * A peer matches needs when every key holds: number → peer value >= it; true → the peer
 * value is true, a number > 0, or a non-empty string or list; false → the peer has the
 * key with a value that is not true by that rule; string → equal, or contained in the peer's list; string[] → all
 * contained; {min, max} → a number in range. Empty needs match every peer.
 */
export function matches(caps: Capabilities, needs: Needs): boolean {
  for (const key of Object.keys(needs)) {
    const want = needs[key]
    if (want === undefined) continue
    if (!matchesOne(Object.hasOwn(caps, key) ? caps[key] : undefined, want)) return false
  }
  return true
}
