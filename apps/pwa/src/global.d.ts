import type { Mesh } from 'mesh-core'

declare global {
  interface Window {
    /** The live peer, for end-to-end tests and for poking at it from the devtools console. */
    __mesh?: Mesh
  }
}
