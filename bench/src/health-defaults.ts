import { DEFAULT_HEALTH } from 'mesh-core'

/** The failure-detector defaults the benches ran with, e.g. `pingIntervalMs 2000, …`. */
export function healthDefaults(): string {
  return Object.entries(DEFAULT_HEALTH)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')
}
