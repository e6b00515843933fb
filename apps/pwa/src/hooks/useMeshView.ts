import { useEffect, useState } from 'react'
import type { Capabilities, ConnectionState, Mesh, PeerInfo } from 'mesh-core'

/** RTTs change without an event, so the view is also refreshed on this period. */
export const refreshIntervalMs = 1_000

export interface MeshView {
  state: ConnectionState
  /** The other peers that are not down, by name. */
  peers: PeerInfo[]
  /** Our own capabilities, `tasks` included. */
  capabilities: Capabilities
  /** The peer id of the elected coordinator, which may be ours. */
  coordinator: string | undefined
}

const events = [
  'peer:join',
  'peer:leave',
  'peer:status',
  'peer:quality',
  'peer:update',
  'capabilities:change',
  'connection'
] as const

function snapshot(mesh: Mesh | undefined): MeshView {
  if (mesh === undefined) return { state: 'connecting', peers: [], capabilities: {}, coordinator: undefined }
  // mesh-core emits `peer:status` for a peer going down just before it drops it, so the
  // table can be read while the peer is still in it; a down peer is gone, not listed.
  const peers = mesh
    .peers()
    .filter((p) => p.status !== 'down')
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
  return {
    state: mesh.connectionState(),
    peers,
    capabilities: mesh.capabilities(),
    coordinator: mesh.coordinator()
  }
}

/** The connection state, peer table and our own advertisement, refreshed on every mesh event and every second. */
export function useMeshView(mesh: Mesh | undefined): MeshView {
  const [view, setView] = useState<MeshView>(() => snapshot(mesh))
  useEffect(() => {
    const refresh = (): void => setView(snapshot(mesh))
    refresh()
    if (mesh === undefined) return
    const unsubscribe = events.map((event) => mesh.on(event, refresh))
    const timer = window.setInterval(refresh, refreshIntervalMs)
    return () => {
      window.clearInterval(timer)
      for (const off of unsubscribe) off()
    }
  }, [mesh])
  return view
}
