import { describe, expect, it } from 'vitest'
import { qualityOf, statusFor } from '../src/membership/peer-table.ts'
import type { PeerEntry } from '../src/membership/peer-table.ts'
import { rank, senior } from '../src/placement/rank.ts'
import type { PeerInfo } from '../src/types.ts'

const t = { suspectAfterMs: 3_000, downAfterMs: 8_000, pausedGraceMs: 60_000, lostGraceMs: 2_000 }

function entry(state: 'up' | 'paused', lastSeen: number, everLinked = true): PeerEntry {
  return {
    record: { peer: 'p', seq: 1, name: 'p', role: 'browser', caps: {}, addrs: [], startedAt: 0, state },
    status: 'healthy',
    lastSeen,
    firstSeen: 0,
    rtt: [],
    everLinked,
    quality: 'good'
  }
}

describe('health from silence', () => {
  it('goes healthy → suspect → down', () => {
    expect(statusFor(entry('up', 0), 2_999, t, true)).toBe('healthy')
    expect(statusFor(entry('up', 0), 3_001, t, true)).toBe('suspect')
    expect(statusFor(entry('up', 0), 8_001, t, true)).toBe('down')
  })
  it('gives a hidden tab its grace while the connection stands', () => {
    expect(statusFor(entry('paused', 0), 30_000, t, true)).toBe('paused')
    expect(statusFor(entry('paused', 0), 60_001, t, true)).toBe('down')
    // Never connected: we cannot tell, so the grace holds.
    expect(statusFor(entry('paused', 0, false), 30_000, t, false)).toBe('paused')
  })
  it('declares a peer we lost every connection to down after a short grace, unless it speaks', () => {
    const e = entry('up', 1_000)
    e.lostAt = 1_000
    expect(statusFor(e, 1_500, t, false)).toBe('suspect')
    expect(statusFor(e, 3_001, t, false)).toBe('down')
    e.lastSeen = 1_200
    expect(statusFor(e, 3_001, t, false)).toBe('healthy')
  })
  it('gives no grace to a paused tab whose connections all closed', () => {
    expect(statusFor(entry('paused', 0), 8_001, t, false)).toBe('down')
  })
})

function peer(id: string, o: Partial<PeerInfo>): PeerInfo {
  return {
    id,
    name: id,
    role: 'device',
    capabilities: {},
    status: 'healthy',
    link: 'tcp',
    rttMs: 1,
    rttAvgMs: 1,
    addresses: [],
    startedAt: 0,
    lastSeen: 0,
    ...o
  } as PeerInfo
}

describe('placement', () => {
  it('keeps capable healthy peers, direct before relayed, then load, then RTT, then id', () => {
    const ps = [
      peer('relayed', { link: 'relay', rttAvgMs: 0.1, capabilities: { gpu: 2 } }),
      peer('busy', { capabilities: { gpu: 2, load: 0.9 } }),
      peer('far', { rttAvgMs: 40, capabilities: { gpu: 2 } }),
      peer('near-b', { rttAvgMs: 2, capabilities: { gpu: 2 } }),
      peer('near-a', { rttAvgMs: 2, capabilities: { gpu: 2 } }),
      peer('sick', { status: 'suspect', capabilities: { gpu: 2 } }),
      peer('weak', { capabilities: { gpu: 1 } })
    ]
    expect(rank(ps, { gpu: 2 }).map((p) => p.id)).toEqual(['near-a', 'near-b', 'far', 'busy', 'relayed'])
  })
  it('elects the longest-running healthy peer, ties to the lower id', () => {
    expect(
      senior([peer('b', { startedAt: 5 }), peer('a', { startedAt: 5 }), peer('c', { startedAt: 9 })])
    ).toBe('a')
    expect(senior([peer('old', { startedAt: 1, status: 'down' }), peer('new', { startedAt: 2 })])).toBe('new')
  })
})

describe('link quality', () => {
  it('follows status, link and RTT bands', () => {
    expect(qualityOf('down', 'tcp', 1)).toBe('disconnected')
    expect(qualityOf('suspect', 'tcp', 1)).toBe('poor')
    expect(qualityOf('paused', 'webrtc', 1)).toBe('poor')
    expect(qualityOf('healthy', 'none', undefined)).toBe('degraded')
    expect(qualityOf('healthy', 'relay', 5)).toBe('degraded')
    expect(qualityOf('healthy', 'webrtc', 10)).toBe('excellent')
    expect(qualityOf('healthy', 'webrtc', 100)).toBe('good')
    expect(qualityOf('healthy', 'tcp', 300)).toBe('degraded')
    expect(qualityOf('healthy', 'tcp', 900)).toBe('poor')
  })
})
