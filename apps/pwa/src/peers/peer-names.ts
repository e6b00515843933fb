import type { PeerInfo } from 'mesh-core'

/** The tail of a peer id: libp2p ids share their first characters (`12D3KooW…`). */
export function shortId(id: string): string {
  return id.length <= 10 ? id : `…${id.slice(-8)}`
}

/** The name of a peer as this peer knows it, or a short form of its id. */
export function peerName(mesh: { peers(): PeerInfo[] }, id: string): string {
  return mesh.peers().find((peer) => peer.id === id)?.name ?? shortId(id)
}
