import { RTT_HISTORY } from '../constants.ts'
import type { PeerRecord } from '../registry/record.ts'
import type { LinkKind, LinkQuality, PeerInfo, PeerStatus } from '../types.ts'

export interface PeerEntry {
  record: PeerRecord
  status: PeerStatus
  lastSeen: number
  /** When we first heard of it, by our clock. */
  firstSeen: number
  rtt: number[]
  /** Whether we have ever had a connection to it. */
  everLinked: boolean
  /** The last quality we announced. */
  quality: LinkQuality
  /** When we lost our last connection to it, if we have none now. */
  lostAt?: number
}

export interface HealthThresholds {
  suspectAfterMs: number
  downAfterMs: number
  /** How long a peer that announced it is hidden may stay silent. */
  pausedGraceMs: number
  /** How long a peer we lost every connection to may stay silent. */
  lostGraceMs: number
}

/**
 * Health from silence: healthy, then suspect, then down. A peer that said it is paused (a
 * hidden tab) gets a longer grace while its connection stands, or when we never had one;
 * a paused peer whose connections all closed was a tab that closed, and gets none.
 */
export function statusFor(e: PeerEntry, now: number, t: HealthThresholds, linked: boolean): PeerStatus {
  const silent = now - e.lastSeen
  // Our connection dropped and nothing came since: a crash looks exactly like this.
  if (e.lostAt !== undefined && e.lastSeen <= e.lostAt)
    return now - e.lostAt > t.lostGraceMs ? 'down' : 'suspect'
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

/** RTT bands for link quality, in milliseconds. */
export const QUALITY_RTT_MS = { excellent: 50, good: 150, degraded: 400 } as const

/**
 * Link quality from health, link and RTT: down is disconnected; suspect or paused is poor;
 * a peer we reach only through a relay or gossip is degraded; otherwise the mean RTT decides.
 */
export function qualityOf(status: PeerStatus, link: LinkKind, rttAvgMs: number | undefined): LinkQuality {
  if (status === 'down') return 'disconnected'
  if (status === 'suspect' || status === 'paused') return 'poor'
  if (link === 'none' || link === 'relay' || rttAvgMs === undefined) return 'degraded'
  if (rttAvgMs < QUALITY_RTT_MS.excellent) return 'excellent'
  if (rttAvgMs < QUALITY_RTT_MS.good) return 'good'
  if (rttAvgMs < QUALITY_RTT_MS.degraded) return 'degraded'
  return 'poor'
}

export function toPeerInfo(e: PeerEntry, link: LinkKind): PeerInfo {
  const n = e.rtt.length
  const rttAvgMs = n === 0 ? undefined : e.rtt.reduce((a, b) => a + b, 0) / n
  return {
    id: e.record.peer,
    name: e.record.name,
    role: e.record.role,
    capabilities: e.record.caps,
    status: e.status,
    link,
    rttMs: link === 'none' ? undefined : e.rtt[n - 1],
    rttAvgMs,
    rttHistory: [...e.rtt],
    quality: qualityOf(e.status, link, rttAvgMs),
    addresses: e.record.addrs,
    startedAt: e.record.startedAt,
    lastSeen: e.lastSeen
  }
}

/** Ourselves as a peer: healthy, zero RTT, an excellent link. */
export function selfPeerInfo(
  o: Pick<PeerInfo, 'id' | 'name' | 'role' | 'capabilities' | 'addresses' | 'startedAt'>
): PeerInfo {
  return {
    ...o,
    status: 'healthy',
    link: 'none',
    rttMs: 0,
    rttAvgMs: 0,
    rttHistory: [],
    quality: 'excellent',
    lastSeen: Date.now()
  }
}
