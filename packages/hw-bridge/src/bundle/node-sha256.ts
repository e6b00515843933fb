// @chainsafe/as-sha256 for the mesh-bridge bundle (rolldown.config.ts), on node:crypto:
// @libp2p/noise imports its digest(), and importing it compiles a WebAssembly module the
// bridge does not need (see node-chacha20poly1305.ts).
import { createHash } from 'node:crypto'

export function digest(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest()
}
