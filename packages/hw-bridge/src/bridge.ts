import { createMesh } from 'mesh-core'
import type { Capabilities, Mesh } from 'mesh-core'
import { hostCapabilities } from './host.ts'

export interface BridgeInit {
  /** Relay multiaddrs or bootstrap.json URLs. @default [] (LAN discovery only) */
  relays?: string[]
  /** @default the host name */
  name?: string
  /** Where the device keeps its identity key. @default undefined (a new identity each start) */
  dataDir?: string
  /** @default ['/ip4/0.0.0.0/tcp/0', '/p2p-circuit', '/webrtc'] */
  listen?: string[]
  /** @default true */
  mdns?: boolean
  /** Extra static capabilities, merged over the detected ones. */
  capabilities?: Capabilities
}

export interface Bridge {
  mesh: Mesh
  close(): Promise<void>
}

/** Join the mesh as a device and advertise what the host has. */
export async function startBridge(init: BridgeInit = {}): Promise<Bridge> {
  const mesh = await createMesh({
    role: 'device',
    bootstrap: init.relays ?? [],
    ...(init.name !== undefined ? { name: init.name } : {}),
    ...(init.dataDir !== undefined ? { dataDir: init.dataDir } : {}),
    listen: init.listen ?? ['/ip4/0.0.0.0/tcp/0', '/p2p-circuit', '/webrtc'],
    mdns: init.mdns ?? true,
    capabilities: { ...hostCapabilities(), ...(init.capabilities ?? {}) }
  })
  mesh.define('system.info', () => ({ ...hostCapabilities(), uptimeS: Math.round(process.uptime()) }))
  return { mesh, close: () => mesh.stop() }
}
