export { createRelay } from './relay.js'
export { CertificateError, InvalidOptionError } from './errors.js'

export type { Relay } from './relay.js'
export type { RelayInit } from './options.js'
export type { HttpTimeouts } from './http/server.js'
export type { LogLevel, RelayLogEntry, RelayLogger } from './log.js'
