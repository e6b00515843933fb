import type { Capabilities, CapabilityValue } from 'mesh-core'
import type { PermissionState, SensorName } from './types'

/** Keys mesh-core fills in itself; sending them would pin stale values into our record. */
export const meshManagedKeys: readonly string[] = ['tasks', 'actors']

/** The capability listing the sensor ids `sensor.read` and `sensor.stream` serve here. */
export const sensorsKey = 'sensors'

/** Where a sensor is, as the Sensors panel shows it. */
export type SensorStatus = 'unavailable' | 'off' | 'starting' | 'on' | 'denied' | 'failed'

/** One sensor's state, as the controller keeps it. */
export interface SensorState {
  name: SensorName
  status: SensorStatus
  permission: PermissionState
  /** Its capability value while on. */
  value: CapabilityValue
  /** The sensor ids it serves while on. */
  readable: readonly string[]
  /** Why it is denied or failed. */
  error?: string
}

/**
 * What a successful start says about the permission: a browser that let us start granted
 * it, even where the Permissions API still answers `prompt` (a one-time grant).
 */
export function permissionAfterStart(queried: PermissionState): PermissionState {
  return queried === 'prompt' ? 'granted' : queried
}

/** Whether a permission lets a running sensor stay advertised. */
export function permissionAllows(p: PermissionState): boolean {
  return p === 'granted' || p === 'unsupported'
}

/**
 * A permission `change` event: anything but `granted` (denied, or reset to `prompt`)
 * means the grant we started under is gone, so the sensor stops and is withdrawn.
 */
export function revokedBy(next: PermissionState): boolean {
  return next !== 'granted'
}

/** The capabilities the sensors advertise now: one key per running, permitted sensor, plus `sensors`. */
export function sensorCapabilities(states: readonly SensorState[]): Capabilities {
  const caps: Capabilities = {}
  const readable: string[] = []
  for (const s of states) {
    if (s.status !== 'on' || !permissionAllows(s.permission)) continue
    caps[s.name] = s.value
    readable.push(...s.readable)
  }
  if (readable.length > 0) caps[sensorsKey] = [...new Set(readable)].sort()
  return caps
}

function same(a: CapabilityValue | undefined, b: CapabilityValue | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i])
  return a === b
}

/** One `advertise` call: merge `caps` in, or replace the whole set with it. */
export interface Advertisement {
  caps: Capabilities
  replace: boolean
}

/**
 * The call that makes our record hold `desired` for the `managed` keys, given the record
 * `current` (as `mesh.capabilities()` returns it, mesh-managed keys included). Adding or
 * changing keys merges only those; withdrawing one needs a replace, which keeps every key
 * not ours as it is and never sends `tasks` or `actors`. Undefined when nothing changes.
 */
export function nextAdvertisement(
  current: Capabilities,
  managed: readonly string[],
  desired: Capabilities
): Advertisement | undefined {
  const withdrawn = managed.filter((k) => current[k] !== undefined && desired[k] === undefined)
  if (withdrawn.length > 0) {
    const caps: Capabilities = {}
    for (const [k, v] of Object.entries(current)) {
      if (meshManagedKeys.includes(k) || managed.includes(k)) continue
      caps[k] = v
    }
    return { caps: { ...caps, ...desired }, replace: true }
  }
  const changed = Object.entries(desired).filter(([k, v]) => !same(current[k], v))
  if (changed.length === 0) return undefined
  return { caps: Object.fromEntries(changed), replace: false }
}
