import type { Connection } from '@libp2p/interface'
import type { LinkKind } from '../types.ts'

/** Classify one connection by its remote address. */
export function linkKind(conn: Connection): LinkKind {
  const addr = conn.remoteAddr.toString()
  if (addr.includes('/webrtc')) return 'webrtc'
  if (addr.includes('/p2p-circuit') || conn.limits !== undefined) return 'relay'
  if (addr.includes('/ws') || addr.includes('/wss') || addr.includes('/tls/ws')) return 'websocket'
  if (addr.includes('/tcp')) return 'tcp'
  return 'relay'
}

const RANK: Record<LinkKind, number> = { webrtc: 0, tcp: 1, websocket: 2, relay: 3, none: 4 }

/** The best open connection, direct before relayed. */
export function bestConnection(conns: Connection[], opts: { allowLimited: boolean }): Connection | undefined {
  let best: Connection | undefined
  for (const c of conns) {
    if (c.status !== 'open') continue
    if (!opts.allowLimited && c.limits !== undefined) continue
    if (best === undefined || RANK[linkKind(c)] < RANK[linkKind(best)]) best = c
  }
  return best
}

export function bestLink(conns: Connection[]): LinkKind {
  const c = bestConnection(conns, { allowLimited: true })
  return c === undefined ? 'none' : linkKind(c)
}

export function isDirect(link: LinkKind): boolean {
  return link === 'webrtc' || link === 'tcp' || link === 'websocket'
}
