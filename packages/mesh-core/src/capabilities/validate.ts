import {
  MAX_CAPABILITIES,
  MAX_CAPABILITY_KEY_LENGTH,
  MAX_CAPABILITY_LIST_LENGTH,
  MAX_CAPABILITY_STRING_LENGTH
} from '../constants.ts'
import type { Capabilities, CapabilityValue, Needs } from '../types.ts'

/** Why a capability set breaks the bounds, or `undefined` when it is valid. */
export function capabilitiesProblem(caps: unknown): string | undefined {
  if (typeof caps !== 'object' || caps === null || Array.isArray(caps))
    return 'capabilities must be an object'
  const keys = Object.keys(caps)
  if (keys.length > MAX_CAPABILITIES) return `more than ${MAX_CAPABILITIES} capabilities`
  for (const key of keys) {
    if (key.length === 0 || key.length > MAX_CAPABILITY_KEY_LENGTH) {
      return `capability key "${key.slice(0, 80)}" must be 1 to ${MAX_CAPABILITY_KEY_LENGTH} characters`
    }
    const problem = valueProblem((caps as Record<string, unknown>)[key])
    if (problem !== undefined) return `capability "${key}": ${problem}`
  }
  return undefined
}

function valueProblem(v: unknown): string | undefined {
  if (typeof v === 'boolean') return undefined
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : 'numbers must be finite'
  if (typeof v === 'string') {
    return v.length <= MAX_CAPABILITY_STRING_LENGTH
      ? undefined
      : `strings are at most ${MAX_CAPABILITY_STRING_LENGTH} characters`
  }
  if (Array.isArray(v)) {
    if (v.length > MAX_CAPABILITY_LIST_LENGTH) return `lists hold at most ${MAX_CAPABILITY_LIST_LENGTH} items`
    for (const x of v) {
      if (typeof x !== 'string' || x.length > MAX_CAPABILITY_STRING_LENGTH)
        return 'lists hold only short strings'
    }
    return undefined
  }
  return 'a value must be a number, boolean, string or list of strings'
}

export function isCapabilities(v: unknown): v is Capabilities {
  return capabilitiesProblem(v) === undefined
}

/** Why needs are malformed, or `undefined`. */
export function needsProblem(needs: unknown): string | undefined {
  if (typeof needs !== 'object' || needs === null || Array.isArray(needs)) return 'needs must be an object'
  for (const [key, want] of Object.entries(needs as Record<string, unknown>)) {
    if (typeof want === 'object' && want !== null && !Array.isArray(want)) {
      const { min, max, ...rest } = want as Record<string, unknown>
      if (Object.keys(rest).length > 0) return `need "${key}": a range has only min and max`
      if (min !== undefined && typeof min !== 'number') return `need "${key}": min must be a number`
      if (max !== undefined && typeof max !== 'number') return `need "${key}": max must be a number`
      continue
    }
    const p = valueProblem(want)
    if (p !== undefined) return `need "${key}": ${p}`
  }
  return undefined
}

export function isNeeds(v: unknown): v is Needs {
  return needsProblem(v) === undefined
}

export type { CapabilityValue }
