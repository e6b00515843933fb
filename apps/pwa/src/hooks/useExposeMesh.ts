import { useEffect } from 'react'
import type { Mesh } from 'mesh-core'

/**
 * Publishes the live peer as `window.__mesh` and marks the body `data-mesh-ready="true"`.
 * Runs after the commit that rendered the peer, so tests that wait for the mark find the
 * page already showing it.
 */
export function useExposeMesh(mesh: Mesh | undefined): void {
  useEffect(() => {
    if (mesh === undefined) return
    window.__mesh = mesh
    document.body.dataset.meshReady = 'true'
  }, [mesh])
}
