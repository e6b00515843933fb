import { isIP } from 'node:net'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import {
  DEFAULT_DATA_DIR_NAME,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_HOST,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_RESERVATIONS,
  DEFAULT_PORT,
  DEFAULT_REQUEST_TIMEOUT_MS,
  MAX_PORT,
  TCP_PORT_OFFSET
} from './constants.js'
import { InvalidOptionError } from './errors.js'
import type { HttpTimeouts } from './http/server.js'
import type { RelayLogger } from './log.js'
import { debugLogger } from './log.js'
import { defaultPwaDirs } from './pwa-dir.js'

export interface RelayInit {
  /**
   * Port of the HTTP(S) server (PWA, `/bootstrap.json`, `/healthz`). The libp2p WebSocket
   * listener takes `port + 1` and TCP `port + 2`. 0 picks free ports for all three (tests).
   * @default 8080
   */
  port?: number
  /**
   * Address to listen on. `0.0.0.0` reaches phones on the LAN; `127.0.0.1` keeps the relay
   * to this machine. `localhost` means `127.0.0.1`.
   * @default '0.0.0.0'
   */
  host?: string
  /**
   * Where the relay keeps its libp2p identity (so its peer id survives restarts) and,
   * with `tls: true`, its generated certificate.
   * @default '~/.mesh-relay'
   */
  dataDir?: string
  /** Multiaddrs to announce instead of the listen addresses (a relay behind NAT or a proxy). */
  announce?: string[]
  /**
   * Circuit-relay reservations held at once: one per browser that wants to be reachable.
   * @default 256
   */
  maxReservations?: number
  /** How long one reservation lasts before the peer must renew it. @default 7_200_000 (2 h) */
  reservationTtlMs?: number
  /** How long one relayed (signalling) connection may live. @default 120_000 */
  connectionDurationMs?: number
  /** How many bytes one relayed connection may carry each way. @default 1_048_576 */
  connectionDataBytes?: number
  /**
   * Serve HTTPS and WSS with a self-signed certificate for localhost, 127.0.0.1 and every
   * LAN IPv4 of this machine, generated once into `dataDir` (cert.pem, key.pem) and reused.
   * Phones need a secure context for service workers and sensors.
   * @default false
   */
  tls?: boolean
  /** Path of a PEM certificate to serve instead of a generated one. Requires `key`; implies TLS. */
  cert?: string
  /** Path of the PEM private key of `cert`. Requires `cert`; implies TLS. */
  key?: string
  /**
   * Directory of the built PWA. When it holds no index.html, a page explaining how to
   * build the PWA is served instead.
   * @default the first of `<package>/dist/pwa` and the workspace's `apps/pwa/dist` holding an index.html
   */
  pwaDir?: string
  /** HTTP server timeouts, against clients that connect and stall. */
  httpTimeouts?: Partial<HttpTimeouts>
  /**
   * Receives structured log entries (server errors, peers joining and leaving).
   * @default entries go to Node's debug log: `NODE_DEBUG=mesh-relay`
   */
  logger?: RelayLogger
}

/** `RelayInit` with defaults applied and every value checked. */
export interface RelayConfig {
  port: number
  host: string
  dataDir: string
  announce: string[] | undefined
  maxReservations: number
  /** The circuit-relay limits given; mesh-core applies its defaults to the rest. */
  relayLimits: { reservationTtlMs?: number; connectionDurationMs?: number; connectionDataBytes?: number }
  tls: { kind: 'none' } | { kind: 'generate' } | { kind: 'files'; cert: string; key: string }
  pwaDirs: string[]
  httpTimeouts: HttpTimeouts
  log: RelayLogger
}

/** Applies defaults and rejects impossible values with `InvalidOptionError`. */
export function resolveOptions(init: RelayInit): RelayConfig {
  const port = init.port ?? DEFAULT_PORT
  if (!Number.isInteger(port) || port < 0 || (port !== 0 && port + TCP_PORT_OFFSET > MAX_PORT)) {
    throw new InvalidOptionError('port', `must be 0 or an integer from 1 to ${MAX_PORT - TCP_PORT_OFFSET}`)
  }
  const rawHost = init.host ?? DEFAULT_HOST
  const host = rawHost === 'localhost' ? '127.0.0.1' : rawHost
  if (isIP(host) === 0) throw new InvalidOptionError('host', `must be an IP address, not "${rawHost}"`)

  const maxReservations = init.maxReservations ?? DEFAULT_MAX_RESERVATIONS
  if (!Number.isInteger(maxReservations) || maxReservations < 1) {
    throw new InvalidOptionError('maxReservations', 'must be a positive integer')
  }
  const relayLimits: RelayConfig['relayLimits'] = {}
  for (const name of ['reservationTtlMs', 'connectionDurationMs', 'connectionDataBytes'] as const) {
    const value = init[name]
    if (value === undefined) continue
    if (!Number.isSafeInteger(value) || value < 1)
      throw new InvalidOptionError(name, 'must be a positive integer')
    relayLimits[name] = value
  }
  for (const address of init.announce ?? []) {
    if (!address.startsWith('/')) throw new InvalidOptionError('announce', `"${address}" is not a multiaddr`)
  }
  if ((init.cert === undefined) !== (init.key === undefined)) {
    throw new InvalidOptionError(
      init.cert === undefined ? 'cert' : 'key',
      'cert and key must be given together'
    )
  }
  const tls: RelayConfig['tls'] =
    init.cert !== undefined && init.key !== undefined
      ? { kind: 'files', cert: resolve(init.cert), key: resolve(init.key) }
      : init.tls === true
        ? { kind: 'generate' }
        : { kind: 'none' }

  const httpTimeouts: HttpTimeouts = {
    headersTimeoutMs: init.httpTimeouts?.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: init.httpTimeouts?.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: init.httpTimeouts?.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS
  }
  for (const [name, value] of Object.entries(httpTimeouts)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new InvalidOptionError(`httpTimeouts.${name}`, 'must be a positive integer')
    }
  }
  // Node refuses a request timeout shorter than the headers timeout.
  if (httpTimeouts.requestTimeoutMs < httpTimeouts.headersTimeoutMs) {
    throw new InvalidOptionError('httpTimeouts.requestTimeoutMs', 'must not be shorter than headersTimeoutMs')
  }

  return {
    port,
    host,
    dataDir: resolve(init.dataDir ?? join(homedir(), DEFAULT_DATA_DIR_NAME)),
    announce: init.announce === undefined ? undefined : [...init.announce],
    maxReservations,
    relayLimits,
    tls,
    pwaDirs: init.pwaDir === undefined ? defaultPwaDirs() : [resolve(init.pwaDir)],
    httpTimeouts,
    log: init.logger ?? debugLogger
  }
}
