import { logger } from '@libp2p/logger'
import type { Logger } from '@libp2p/logger'

/** A scoped debug logger (`mesh:registry`, `mesh:rpc`), enabled with `DEBUG=mesh:*`. */
export function meshLogger(scope: string): Logger {
  return logger(`mesh:${scope}`)
}
export type { Logger }
