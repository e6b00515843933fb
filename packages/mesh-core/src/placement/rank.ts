import { matches } from '../capabilities/match.ts'
import { isDirect } from '../membership/link.ts'
import type { Needs, PeerInfo } from '../types.ts'

/** A numeric load a peer advertises (`load`, 0..1 or a queue length); lower is better. */
function load(p: PeerInfo): number {
  const v = p.capabilities.load
  return typeof v === 'number' ? v : 0
}

/**
 * From needs and health to an ordered list of candidates (DESIGN.md, Placement): capable
 * and healthy first; direct links before relayed ones; then lower load; then lower RTT;
 * then the peer id, so the order is total and the same on every peer.
 */
export function rank(candidates: PeerInfo[], needs: Needs): PeerInfo[] {
  return candidates
    .filter((p) => p.status === 'healthy' && matches(p.capabilities, needs))
    .sort((a, b) => {
      const da = isDirect(a.link) ? 0 : 1
      const db = isDirect(b.link) ? 0 : 1
      if (da !== db) return da - db
      if (load(a) !== load(b)) return load(a) - load(b)
      const ra = a.rttAvgMs ?? Number.POSITIVE_INFINITY
      const rb = b.rttAvgMs ?? Number.POSITIVE_INFINITY
      if (ra !== rb) return ra - rb
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
    })
}

/** Seniority election: the longest-running healthy peer; ties go to the lower id. */
export function senior(peers: Array<Pick<PeerInfo, 'id' | 'startedAt' | 'status'>>): string | undefined {
  let best: Pick<PeerInfo, 'id' | 'startedAt' | 'status'> | undefined
  for (const p of peers) {
    if (p.status !== 'healthy') continue
    if (
      best === undefined ||
      p.startedAt < best.startedAt ||
      (p.startedAt === best.startedAt && p.id < best.id)
    )
      best = p
  }
  return best?.id
}
