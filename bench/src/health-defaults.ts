import { readFile } from 'node:fs/promises'

/** The failure-detector defaults the benches ran with, as mesh-core declares them. */
const SOURCE = new URL('../../packages/mesh-core/src/constants.ts', import.meta.url)
const NAMES = [
  'PING_INTERVAL',
  'HEARTBEAT_INTERVAL',
  'SUSPECT_AFTER',
  'DOWN_AFTER',
  'LOST_GRACE',
  'ANTI_ENTROPY_INTERVAL'
] as const

/**
 * mesh-core does not export its health defaults, and they are being tuned, so the note
 * reads them from its source rather than from a copy here that would go stale.
 * Returns e.g. `pingIntervalMs 2000, heartbeatIntervalMs 1000, …`.
 */
export async function healthDefaults(): Promise<string> {
  let text: string
  try {
    text = await readFile(SOURCE, 'utf8')
  } catch {
    return 'unknown (mesh-core constants not found)'
  }
  const parts: string[] = []
  for (const name of NAMES) {
    const m = new RegExp(`export const DEFAULT_${name}_MS = ([\\d_]+)\\b`).exec(text)
    const key = name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) + 'Ms'
    parts.push(`${key} ${m?.[1] === undefined ? '?' : Number(m[1].replaceAll('_', ''))}`)
  }
  return parts.join(', ')
}
