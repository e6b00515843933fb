import type { Capabilities, CapabilityValue } from 'mesh-core'

/** The capability mesh-core fills in itself from the defined tasks: not the user's to edit. */
export const tasksKey = 'tasks'
/** Likewise from the actor behaviours this peer hosts. */
export const actorsKey = 'actors'
const managed = (key: string): boolean => key === tasksKey || key === actorsKey

/** What the editor needs from the mesh; a `Mesh` is one. */
export interface OwnCapabilitiesComponents {
  capabilities(): Capabilities
  advertise(caps: Capabilities, o?: { replace?: boolean }): Promise<void>
}

/** The key is one mesh-core sets itself (`tasks`); advertising it would be overwritten. */
export class ReservedCapabilityError extends Error {
  override name = 'ReservedCapabilityError'
}

/** Plain decimal numbers only: `Number()` would also take `0x10`, `''` and `Infinity`. */
const decimal = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i

/**
 * Reads what was typed in the value field: a number when it is numeric, `true`/`false` as
 * booleans, a comma-separated list as a list of strings, anything else as a string.
 */
export function parseCapabilityValue(text: string): CapabilityValue {
  const value = text.trim()
  if (decimal.test(value)) {
    const n = Number(value)
    if (Number.isFinite(n)) return n
  }
  if (value === 'true') return true
  if (value === 'false') return false
  if (value.includes(',')) {
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')
  }
  return value
}

/** Our own capabilities as the editor lists them: in key order, without `tasks`. */
export function editableCapabilities(caps: Capabilities): Array<[string, CapabilityValue]> {
  return Object.entries(caps)
    .filter(([key]) => !managed(key))
    .sort(([a], [b]) => a.localeCompare(b))
}

/**
 * Adds or updates one capability and publishes it to every peer. mesh-core validates the
 * result and rejects with `InvalidCapabilitiesError`; `tasks` is refused here first.
 */
export async function setCapability(
  mesh: OwnCapabilitiesComponents,
  key: string,
  valueText: string
): Promise<void> {
  const k = key.trim()
  if (managed(k)) {
    throw new ReservedCapabilityError(`"${k}" is set by the mesh from the ${k} this peer defines`)
  }
  await mesh.advertise({ [k]: parseCapabilityValue(valueText) })
}

/** Withdraws one capability: the rest are advertised again, replacing the old set. */
export async function removeCapability(mesh: OwnCapabilitiesComponents, key: string): Promise<void> {
  const rest = Object.fromEntries(
    Object.entries(mesh.capabilities()).filter(([k]) => k !== key && !managed(k))
  )
  await mesh.advertise(rest, { replace: true })
}
