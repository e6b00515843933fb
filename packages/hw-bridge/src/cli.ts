import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startBridge } from './bridge.ts'

export interface CliIo {
  out(line: string): void
  err(line: string): void
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: Promise<string>
}

const USAGE = `Usage: mesh-bridge [options]

Joins a Mesh as a device and advertises the host's capabilities.

Options:
  -r, --relay <addr>    relay multiaddr or bootstrap.json URL (repeatable)
  -n, --name <name>     device name (default: the host name)
      --data-dir <dir>  keep the device identity here
      --listen <addr>   listen multiaddr (repeatable)
      --no-mdns         do not discover peers on the LAN
      --json            log JSON lines
  -h, --help            show this help
  -v, --version         print the version`

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
  let bridge
  try {
    bridge = await startBridge({
      relays: values.relay ?? [],
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
      ...(values.listen !== undefined ? { listen: values.listen } : {}),
      mdns: values['no-mdns'] !== true
    })
  } catch (err) {
    io.err(`mesh-bridge: ${(err as Error).message}`)
    return 1
  }
  const { mesh } = bridge
  log('mesh-bridge started', { peerId: mesh.peerId, name: mesh.name, capabilities: mesh.capabilities() })
  mesh.on('peer:join', (p) => log('peer joined', { id: p.id, name: p.name }))
  mesh.on('peer:leave', (p) => log('peer left', p))
  const signal = await io.stopSignal
  log('stopping', { signal })
  await bridge.close()
  log('stopped')
  return 0
}
