import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { autoNAT } from '@libp2p/autonat'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { dcutr } from '@libp2p/dcutr'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { tcp } from '@libp2p/tcp'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import type { PrivateKey } from '@libp2p/interface'
import {
  DEFAULT_RELAY_CONNECTION_DATA_BYTES,
  DEFAULT_RELAY_CONNECTION_DURATION_MS,
  DEFAULT_RELAY_MAX_RESERVATIONS,
  DEFAULT_RELAY_RESERVATION_TTL_MS
} from '../constants.ts'
import { InvalidOptionsError } from '../errors.ts'
import type { MeshOptions, PeerRole } from '../types.ts'
import { newKey } from './common.ts'
import type { Libp2pParts, Platform } from './types.ts'

const KEY_FILE = 'peer.key'
/** Our own DHT protocol, so a Mesh never mixes with the public IPFS DHT. */
const DHT_PROTOCOL = '/mesh/kad/1.0.0'

async function loadKey(dataDir: string): Promise<PrivateKey> {
  const file = join(dataDir, KEY_FILE)
  let bytes: Uint8Array | undefined
  try {
    bytes = await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  if (bytes !== undefined) {
    try {
      return privateKeyFromProtobuf(bytes)
    } catch (err) {
      // Never overwrite a key we cannot read: it is someone's identity.
      throw new InvalidOptionsError(`the identity key file ${file} is corrupt: ${(err as Error).message}`)
    }
  }
  const key = await newKey()
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  await writeFile(file, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' })
  return key
}

function listenFor(role: PeerRole, o: MeshOptions): string[] {
  if (o.listen !== undefined) return o.listen
  switch (role) {
    case 'relay':
      return ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/tcp/0/ws']
    case 'device':
    case 'browser':
      return ['/ip4/0.0.0.0/tcp/0', '/p2p-circuit', '/webrtc']
  }
}

function parts(role: PeerRole, o: MeshOptions): Libp2pParts {
  const rtcConfiguration = o.rtcConfiguration ?? { iceServers: [] }
  const ws = webSockets(o.tls !== undefined ? { https: { cert: o.tls.cert, key: o.tls.key } } : {})
  const dhtOn = o.dht ?? true
  const services: Libp2pParts['services'] = {}
  if (dhtOn) {
    services.dht = kadDHT({
      protocol: DHT_PROTOCOL,
      clientMode: false,
      peerInfoMapper: passthroughMapper
    })
  }
  if (role === 'relay') {
    const r = o.relay ?? {}
    services.relay = circuitRelayServer({
      reservations: {
        maxReservations: r.maxReservations ?? DEFAULT_RELAY_MAX_RESERVATIONS,
        reservationTtl: r.reservationTtlMs ?? DEFAULT_RELAY_RESERVATION_TTL_MS,
        applyDefaultLimit: true,
        defaultDurationLimit: r.connectionDurationMs ?? DEFAULT_RELAY_CONNECTION_DURATION_MS,
        defaultDataLimit: BigInt(r.connectionDataBytes ?? DEFAULT_RELAY_CONNECTION_DATA_BYTES)
      }
    })
    return { listen: listenFor(role, o), transports: [tcp(), ws], peerDiscovery: [], services }
  }
  services.dcutr = dcutr()
  services.autonat = autoNAT()
  return {
    listen: listenFor(role, o),
    transports: [tcp(), ws, webRTC({ rtcConfiguration }), circuitRelayTransport()],
    peerDiscovery: (o.mdns ?? true) ? [mdns({ serviceTag: 'mesh.local' })] : [],
    services
  }
}

export const platform: Platform = {
  kind: 'node',
  defaultRole: 'device',
  async loadIdentity(o) {
    const key = o.dataDir !== undefined ? await loadKey(o.dataDir) : await newKey()
    return { key, release: () => {} }
  },
  defaultBootstrap: () => [],
  libp2pParts: parts,
  async fetchJson(url, signal) {
    const res = await fetch(url, { signal })
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`)
    return (await res.json()) as unknown
  },
  // A Node process leaves through mesh.stop(); the CLIs call it on SIGINT/SIGTERM.
  watchLifecycle: () => () => {},
  // A Node process says goodbye over its open connections before it exits.
  beacon: () => {},
  defaultName: () => hostname()
}
