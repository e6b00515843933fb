import { useEffect, useState } from 'react'
import type { ConnectionState, Mesh, PeerInfo } from 'mesh-core'

/** RTTs change without an event, so the view is also refreshed on this period. */
export const refreshIntervalMs = 1_000

export interface MeshView {
  state: ConnectionState
  peers: PeerInfo[]
}

const events = [
  'peer:join',
  'peer:leave',
  'peer:status',
  'peer:update',
  'capabilities:change',
  'connection'
] as const

function snapshot(mesh: Mesh | undefined): MeshView {
  if (mesh === undefined) return { state: 'connecting', peers: [] }
  const peers = [...mesh.peers()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
  return { state: mesh.connectionState(), peers }
}

/** The connection state and peer table of `mesh`, refreshed on every mesh event and every second. */
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
