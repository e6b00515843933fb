import type { Emitter } from '../events.ts'
import type { Logger } from '../log.ts'
import type { PeerRecord } from '../registry/record.ts'
import type { LinkKind, PeerInfo, PeerStatus } from '../types.ts'
import { qualityOf, recordRtt, statusFor, toPeerInfo } from './peer-table.ts'
import type { HealthThresholds, PeerEntry } from './peer-table.ts'

export interface MembershipInit {
  emitter: Emitter
  log: Logger
  thresholds: HealthThresholds
  linkOf(peer: string): LinkKind
  /** The record of a peer that is down or left must go from the registry too. */
  dropRecord(peer: string): void
  /** We declared a peer down ourselves (not told by another peer). */
  onDown(peer: string, lastSeq: number, observedDirectly: boolean): void
}

function sameCaps(a: PeerRecord['caps'], b: PeerRecord['caps']): boolean {
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  return ka.every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]))
}

/** The peer table: who is there, how healthy, how far. Emits the peer events. */
export class Membership {
  private readonly init: MembershipInit
  private readonly entries = new Map<string, PeerEntry>()

  constructor(init: MembershipInit) {
    this.init = init
  }

  get(peer: string): PeerEntry | undefined {
    return this.entries.get(peer)
  }

  ids(): string[] {
    return [...this.entries.keys()]
  }

  info(peer: string): PeerInfo | undefined {
    const e = this.entries.get(peer)
    return e === undefined ? undefined : toPeerInfo(e, this.init.linkOf(peer))
  }

  list(): PeerInfo[] {
    return [...this.entries.values()].map((e) => toPeerInfo(e, this.init.linkOf(e.record.peer)))
  }

  /** A newer record arrived (already verified and accepted by the registry). */
  onRecord(record: PeerRecord, now: number): void {
    const { emitter } = this.init
    const prev = this.entries.get(record.peer)
    if (record.state === 'leaving') {
      if (prev !== undefined) this.remove(record.peer, 'normal')
      else this.init.dropRecord(record.peer)
      return
    }
    if (prev === undefined) {
      const e: PeerEntry = {
        record,
        status: 'healthy',
        lastSeen: now,
        firstSeen: now,
        rtt: [],
        everLinked: false,
        quality: 'degraded'
      }
      e.status = this.statusOf(e, now, this.init.linkOf(record.peer))
      e.quality = toPeerInfo(e, this.init.linkOf(record.peer)).quality
      this.entries.set(record.peer, e)
      const info = toPeerInfo(e, this.init.linkOf(record.peer))
      this.init.log('peer:join %s (%s)', record.name, record.peer)
      emitter.emit('peer:join', info)
      return
    }
    const old = prev.record
    prev.record = record
    prev.lastSeen = now
    const changed =
      old.name !== record.name ||
      old.state !== record.state ||
      old.addrs.join() !== record.addrs.join() ||
      !sameCaps(old.caps, record.caps)
    if (!sameCaps(old.caps, record.caps))
      emitter.emit('capabilities:change', { id: record.peer, capabilities: record.caps })
    this.refresh(prev, now)
    if (changed) emitter.emit('peer:update', toPeerInfo(prev, this.init.linkOf(record.peer)))
  }

  /** Any proof that the peer is alive: a pong, a frame, a heartbeat. */
  alive(peer: string, now: number): void {
    const e = this.entries.get(peer)
    if (e === undefined) return
    // Under load every frame is proof of life: a healthy peer heard from within the last
    // second needs no re-evaluation (the sweep runs every 250 ms anyway).
    const recent = e.status === 'healthy' && now - e.lastSeen < 1_000
    e.lastSeen = now
    if (!recent) this.refresh(e, now)
  }

  rtt(peer: string, ms: number, now: number): void {
    const e = this.entries.get(peer)
    if (e === undefined) return
    recordRtt(e, ms)
    this.alive(peer, now)
  }

  /** Re-evaluate every peer's health; drop the ones that are down. */
  sweep(now: number): void {
    for (const e of [...this.entries.values()]) this.refresh(e, now)
  }

  /** Our last connection to the peer closed. */
  lost(peer: string, now: number): void {
    const e = this.entries.get(peer)
    if (e === undefined || this.init.linkOf(peer) !== 'none') return
    e.lostAt = now
    this.refresh(e, now)
  }

  private statusOf(e: PeerEntry, now: number, link: LinkKind): PeerStatus {
    const linked = link !== 'none'
    if (linked) {
      e.everLinked = true
      delete e.lostAt
    }
    return statusFor(e, now, this.init.thresholds, linked)
  }

  /** Runs for every peer four times a second: the link is looked up once, no PeerInfo unless something changed. */
  private refresh(e: PeerEntry, now: number): void {
    const link = this.init.linkOf(e.record.peer)
    const status: PeerStatus = this.statusOf(e, now, link)
    if (status === e.status) {
      this.checkQuality(e, link)
      return
    }
    e.status = status
    this.init.log('peer:status %s %s', e.record.name, status)
    if (status === 'down') {
      // remove() announces the status after the peer has left the table.
      this.init.onDown(e.record.peer, e.record.seq, e.everLinked)
      this.remove(e.record.peer, 'noconnection')
      return
    }
    this.init.emitter.emit('peer:status', toPeerInfo(e, link))
    this.checkQuality(e, link)
  }

  private checkQuality(e: PeerEntry, link: LinkKind): void {
    const n = e.rtt.length
    let sum = 0
    for (const r of e.rtt) sum += r
    const quality = qualityOf(e.status, link, n === 0 ? undefined : sum / n)
    if (quality === e.quality) return
    e.quality = quality
    this.init.emitter.emit('peer:quality', toPeerInfo(e, link))
  }

  remove(peer: string, reason: string): void {
    const e = this.entries.get(peer)
    if (e === undefined) return
    this.entries.delete(peer)
    this.init.dropRecord(peer)
    e.status = 'down'
    this.init.emitter.emit('peer:status', toPeerInfo(e, 'none'))
    this.init.log('peer:leave %s (%s)', e.record.name, reason)
    this.init.emitter.emit('peer:leave', { id: peer, reason })
  }

  clear(): void {
    this.entries.clear()
  }
}
