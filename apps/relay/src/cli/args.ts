import { parseArgs } from 'node:util'
import { MAX_PORT, TCP_PORT_OFFSET } from '../constants.js'
import type { RelayInit } from '../options.js'

/** A command line that cannot be run as given. The CLI exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export type CliCommand =
  { kind: 'help' } | { kind: 'version' } | { kind: 'run'; init: RelayInit; json: boolean }

export const USAGE = `Usage: mesh-relay [options]

Runs a Mesh relay: the bootstrap peer browsers and devices join through, and a web
server for the Mesh PWA, /bootstrap.json and /healthz.

Options:
  -p, --port <n>              HTTP(S) port; WebSocket listens on n+1, TCP on n+2;
                              0 picks free ports (default: 8080)
      --host <ip>             address to listen on (default: 0.0.0.0, every interface)
      --data-dir <dir>        identity key and generated certificate (default: ~/.mesh-relay)
      --announce <multiaddr>  announce this address instead of the listen addresses;
                              repeat for more than one
      --max-reservations <n>  circuit-relay reservations held at once (default: 256)
      --reservation-ttl-ms <n>  how long a reservation lasts (default: 7200000, 2 h)
      --relayed-duration-ms <n> how long one relayed signalling connection may live
                              (default: 120000)
      --relayed-data-bytes <n>  bytes one relayed connection may carry each way
                              (default: 1048576)
      --tls                   serve https/wss with a self-signed certificate kept in
                              the data dir (phones need it for service workers and sensors)
      --cert <file>           PEM certificate to serve instead (needs --key; implies TLS)
      --key <file>            PEM private key of --cert
      --pwa-dir <dir>         directory of the built PWA (default: the bundled or
                              workspace build, apps/pwa/dist)
      --json                  print one JSON object per log line
  -h, --help                  print this help and exit
  -v, --version               print the version and exit

Exit codes: 0 stopped cleanly, 1 failed, 2 bad command line.
`

const OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  announce: { type: 'string', multiple: true },
  'max-reservations': { type: 'string' },
  'reservation-ttl-ms': { type: 'string' },
  'relayed-duration-ms': { type: 'string' },
  'relayed-data-bytes': { type: 'string' },
  tls: { type: 'boolean' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'pwa-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' }
} as const

/** Parses argv (without node and the script) into a command, or throws `UsageError`. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const values = parseFlags(argv)
  if (values.help === true) return { kind: 'help' }
  if (values.version === true) return { kind: 'version' }

  const init: RelayInit = {}
  if (values.port !== undefined) init.port = integer('--port', values.port, 0, MAX_PORT - TCP_PORT_OFFSET)
  if (values.host !== undefined) init.host = nonEmpty('--host', values.host)
  if (values['data-dir'] !== undefined) init.dataDir = nonEmpty('--data-dir', values['data-dir'])
  if (values.announce !== undefined) {
    init.announce = values.announce.map((a) => {
      if (!a.startsWith('/'))
        throw new UsageError(`--announce: "${a}" is not a multiaddr (like /ip4/1.2.3.4/tcp/8081/ws)`)
      return a
    })
  }
  if (values['max-reservations'] !== undefined) {
    init.maxReservations = integer('--max-reservations', values['max-reservations'], 1, 1_000_000)
  }
  const limit = (flag: string): number | undefined => {
    const text = values[flag as 'reservation-ttl-ms' | 'relayed-duration-ms' | 'relayed-data-bytes']
    return text === undefined ? undefined : integer(`--${flag}`, text, 1, Number.MAX_SAFE_INTEGER)
  }
  const ttl = limit('reservation-ttl-ms')
  if (ttl !== undefined) init.reservationTtlMs = ttl
  const duration = limit('relayed-duration-ms')
  if (duration !== undefined) init.connectionDurationMs = duration
  const data = limit('relayed-data-bytes')
  if (data !== undefined) init.connectionDataBytes = data
  if (values.tls === true) init.tls = true
  if ((values.cert === undefined) !== (values.key === undefined)) {
    throw new UsageError('--cert and --key must be given together')
  }
  if (values.cert !== undefined) init.cert = nonEmpty('--cert', values.cert)
  if (values.key !== undefined) init.key = nonEmpty('--key', values.key)
  if (values['pwa-dir'] !== undefined) init.pwaDir = nonEmpty('--pwa-dir', values['pwa-dir'])
  return { kind: 'run', init, json: values.json === true }
}

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values
  } catch (err) {
    // parseArgs reports unknown flags, missing values and positionals as TypeErrors.
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, not "${text}"`)
  }
  return value
}

function nonEmpty(flag: string, text: string): string {
  if (text === '') throw new UsageError(`${flag} must not be empty`)
  return text
}
