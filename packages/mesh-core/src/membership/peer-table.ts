import { RTT_HISTORY } from '../constants.ts'
import type { PeerRecord } from '../registry/record.ts'
import type { LinkKind, PeerInfo, PeerStatus } from '../types.ts'

export interface PeerEntry {
  record: PeerRecord
  status: PeerStatus
  lastSeen: number
  /** When we first heard of it, by our clock. */
  firstSeen: number
  rtt: number[]
  /** Whether we have ever had a connection to it. */
  everLinked: boolean
}

export interface HealthThresholds {
  suspectAfterMs: number
  downAfterMs: number
  /** How long a peer that announced it is hidden may stay silent. */
  pausedGraceMs: number
}

/**
 * Health from silence: healthy, then suspect, then down. A peer that said it is paused (a
 * hidden tab) gets a longer grace while its connection stands, or when we never had one;
 * a paused peer whose connections all closed was a tab that closed, and gets none.
 */
export function statusFor(e: PeerEntry, now: number, t: HealthThresholds, linked: boolean): PeerStatus {
  const silent = now - e.lastSeen
  if (e.record.state === 'paused' && (linked || !e.everLinked))
    return silent > t.pausedGraceMs ? 'down' : 'paused'
  if (silent > t.downAfterMs) return 'down'
  if (silent > t.suspectAfterMs) return 'suspect'
  return 'healthy'
}

export function recordRtt(e: PeerEntry, ms: number): void {
  e.rtt.push(ms)
  if (e.rtt.length > RTT_HISTORY) e.rtt.shift()
}

export function toPeerInfo(e: PeerEntry, link: LinkKind): PeerInfo {
  const n = e.rtt.length
  return {
    id: e.record.peer,
    name: e.record.name,
    role: e.record.role,
    capabilities: e.record.caps,
    status: e.status,
    link,
    rttMs: link === 'none' ? undefined : e.rtt[n - 1],
    rttAvgMs: n === 0 ? undefined : e.rtt.reduce((a, b) => a + b, 0) / n,
    addresses: e.record.addrs,
    startedAt: e.record.startedAt,
    lastSeen: e.lastSeen
  }
}
