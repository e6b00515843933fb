import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startBridge } from './bridge.ts'
import { ConfigError, defaultConfig, loadConfig } from './config.ts'
import type { BridgeConfig } from './config.ts'
import type { Mesh } from 'mesh-core'

export interface CliIo {
  out(line: string): void
  err(line: string): void
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: Promise<string>
}

const USAGE = `Usage: mesh-bridge [options]

Joins a Mesh as a device and advertises the host's capabilities.

Options:
  -c, --config <file>   a JSON config file (docs/CONFIGURATION.md); flags override it
  -r, --relay <addr>    relay multiaddr or bootstrap.json URL (repeatable)
  -n, --name <name>     device name (default: the host name)
      --data-dir <dir>  keep the device identity here
      --listen <addr>   listen multiaddr (repeatable)
      --no-mdns         do not discover peers on the LAN
      --root <dir>      read /proc, /sys and /dev under this directory
      --http <port>     serve /metrics and /health on 127.0.0.1:<port>
      --no-ffmpeg       do not offer camera.capture
      --json            log JSON lines
  -h, --help            show this help
  -v, --version         print the version`

/**
 * Log every peer that joins or leaves, from now on and those already here: peers met while
 * starting (the relay, usually) joined before anyone listened. Events are emitted
 * synchronously, so listing right after subscribing misses none and logs none twice.
 */
export function logPeers(mesh: Mesh, log: (msg: string, fields: Record<string, unknown>) => void): void {
  mesh.on('peer:join', (p) => log('peer joined', { id: p.id, name: p.name }))
  mesh.on('peer:leave', (p) => log('peer left', { ...p }))
  for (const p of mesh.peers()) log('peer joined', { id: p.id, name: p.name })
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  return pkg.version
}

/** Run the bridge until stopped. Returns the process exit code: 0 ok, 1 failure, 2 usage. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let values
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'c' },
        root: { type: 'string' },
        http: { type: 'string' },
        'no-ffmpeg': { type: 'boolean' },
        relay: { type: 'string', short: 'r', multiple: true },
        name: { type: 'string', short: 'n' },
        'data-dir': { type: 'string' },
        listen: { type: 'string', multiple: true },
        'no-mdns': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' }
      }
    }).values
  } catch (err) {
    io.err(`mesh-bridge: ${(err as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (values.help === true) {
    io.out(USAGE)
    return 0
  }
  if (values.version === true) {
    io.out(version())
    return 0
  }
  const log = (msg: string, fields: Record<string, unknown> = {}): void => {
    io.out(
      values.json === true
        ? JSON.stringify({ msg, ...fields })
        : `${msg}${Object.keys(fields).length > 0 ? ' ' + JSON.stringify(fields) : ''}`
    )
  }
  let config: BridgeConfig = { ...defaultConfig }
  if (values.config !== undefined) {
    try {
      config = await loadConfig(values.config)
    } catch (err) {
      // A broken config file: say where, and refuse to start with it.
      io.err(err instanceof ConfigError ? err.message : `mesh-bridge: ${(err as Error).message}`)
      return 1
    }
  }
  let httpPort: number | undefined
  if (values.http !== undefined) {
    httpPort = Number(values.http)
    if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65_535) {
      io.err(`mesh-bridge: --http takes a port number, got "${values.http}"\n\n${USAGE}`)
      return 2
    }
  }
  let bridge
  try {
    bridge = await startBridge({
      ...config,
      ...(values.relay !== undefined ? { relays: values.relay } : {}),
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
      ...(values.listen !== undefined ? { listen: values.listen } : {}),
      ...(values.root !== undefined ? { root: values.root } : {}),
      ...(values['no-mdns'] === true ? { mdns: false } : {}),
      ...(httpPort !== undefined ? { http: { ...config.http, enabled: true, port: httpPort } } : {}),
      ...(values['no-ffmpeg'] === true ? { ffmpeg: false } : {}),
      log: (level, msg, fields = {}) => log(msg, { level, ...fields })
    })
  } catch (err) {
    io.err(`mesh-bridge: ${(err as Error).message}`)
    return 1
  }
  const { mesh } = bridge
  log('mesh-bridge started', {
    peerId: mesh.peerId,
    name: mesh.name,
    addresses: mesh.addresses(),
    capabilities: mesh.capabilities(),
    ...(bridge.http !== undefined ? { http: bridge.http.url } : {})
  })
  logPeers(mesh, log)
  const signal = await io.stopSignal
  log('stopping', { signal })
  await bridge.close()
  log('stopped')
  return 0
}
