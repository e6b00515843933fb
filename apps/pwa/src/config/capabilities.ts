import { capabilitiesProblem } from 'mesh-core'
import type { Capabilities, CapabilityValue } from 'mesh-core'

/** A parse result: the typed value, or why the input was rejected. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string }

/**
 * Parses the `?caps=` query parameter: a JSON object of numbers, booleans, strings and
 * lists of strings, within mesh-core's bounds (so createMesh will not refuse it).
 */
export function parseCapabilities(text: string): Parsed<Capabilities> {
  return parseJsonOption(text, 'capabilities', capabilitiesProblem)
}

/** JSON from the query string, checked by `problem` (what is wrong, or undefined). */
export function parseJsonOption<T>(
  text: string,
  what: string,
  problem: (json: unknown) => string | undefined
): Parsed<T> {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { ok: false, error: `${what} are not valid JSON` }
  }
  const wrong = problem(json)
  return wrong === undefined ? { ok: true, value: json as T } : { ok: false, error: wrong }
}

/** How a capability reads in a chip: `key=value`, lists joined with ','. */
export function formatCapability(key: string, value: CapabilityValue): string {
  return `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`
}
