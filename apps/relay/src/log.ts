import { debuglog } from 'node:util'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** One structured log line. `event` is stable and machine-readable; `message` is for people. */
export interface RelayLogEntry {
  level: LogLevel
  event: string
  message: string
  fields?: Record<string, string | number | boolean | string[]>
}

export type RelayLogger = (entry: RelayLogEntry) => void

const debug = debuglog('mesh-relay')

/** The library never prints; without a logger, entries go to `NODE_DEBUG=mesh-relay`. */
export const debugLogger: RelayLogger = (entry) => {
  debug('%s %s %s %j', entry.level, entry.event, entry.message, entry.fields ?? {})
}

/** A message for an unknown thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code
    return code === undefined ? err.message : `${code}: ${err.message}`
  }
  return String(err)
}
