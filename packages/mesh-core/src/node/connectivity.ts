import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Connection, PeerId } from '@libp2p/interface'
import { platform } from '#platform'
import { parseBootstrapDocument } from '../bootstrap.ts'
import type { BootstrapEntry } from '../bootstrap.ts'
import { BOOTSTRAP_RETRY_MAX_MS, BOOTSTRAP_RETRY_MIN_MS, DEFAULT_DIAL_TIMEOUT_MS } from '../constants.ts'
import { PeerLostError } from '../errors.ts'
import type { Logger } from '../log.ts'
import { rendezvous } from '../placement/hash.ts'
import { bestConnection } from '../membership/link.ts'
import type { PeerRecord } from '../registry/record.ts'
import type { ConnectionState } from '../types.ts'
import type { MeshLibp2p } from './create-libp2p.ts'

/** Parsed peer ids kept at most; a larger mesh just parses again. */
const MAX_CACHED_IDS = 10_000

/** A peer we only heard of is dialled by the lower id first; the other side waits this long. */
const DISCOVERY_FALLBACK_MS = 3_000
const DISCOVERY_RETRY_MS = 5_000

type AddrEntry = Extract<BootstrapEntry, { kind: 'addr' }>

export interface ConnectivityInit {
  libp2p: MeshLibp2p
  log: Logger
  bootstrap: BootstrapEntry[]
  /** The current record of a peer, for its addresses. */
  record(peer: string): PeerRecord | undefined
  /** When we first heard of a peer, by our clock. */
  firstSeen(peer: string): number | undefined
  onState(state: ConnectionState): void
  /** Direct links to keep at most; beyond it, peers are reached by gossip and dialled on demand. */
  maxDirectPeers: number
}

/**
 * Keeps this peer connected: one connection to a bootstrap relay (redialled with
 * backoff), and direct links to the peers the registry tells us about.
 */
export class Connectivity {
  private readonly init: ConnectivityInit
  private readonly selfId: string
  private state: ConnectionState
  private bootstrapAddrs: AddrEntry[] = []
  private retryMs = BOOTSTRAP_RETRY_MIN_MS
  private nextBootstrapAt = 0
  private bootstrapping = false
  private readonly nextDialAt = new Map<string, number>()
  /** Discovery dials still under way: they count against the cap before they land. */
  private readonly dialing = new Set<string>()
  /** On-demand dials in flight, by peer. */
  private readonly inflight = new Map<string, Promise<void>>()
  /** Parsed peer ids by their string form. */
  private readonly ids = new Map<string, PeerId>()
  private stopped = false

  constructor(init: ConnectivityInit) {
    this.init = init
    this.selfId = init.libp2p.peerId.toString()
    this.state = init.bootstrap.length > 0 ? 'connecting' : 'online'
  }

  get connectionState(): ConnectionState {
    return this.state
  }

  start(): void {
    this.init.libp2p.addEventListener('connection:open', this.onConnectionChange)
    this.init.libp2p.addEventListener('connection:close', this.onConnectionChange)
    this.init.libp2p.addEventListener('peer:discovery', this.onDiscovery)
  }

  stop(): void {
    this.init.libp2p.removeEventListener('peer:discovery', this.onDiscovery)
    this.stopped = true
    this.init.libp2p.removeEventListener('connection:open', this.onConnectionChange)
    this.init.libp2p.removeEventListener('connection:close', this.onConnectionChange)
    this.setState('stopped')
  }

  private setState(s: ConnectionState): void {
    if (s === this.state) return
    this.state = s
    this.init.onState(s)
  }

  private readonly onConnectionChange = (): void => {
    if (this.stopped) return
    if (this.init.libp2p.getConnections().length > 0) this.setState('online')
    else if (this.init.bootstrap.length > 0) this.setState('offline')
  }

  connectionsTo(peer: string): Connection[] {
    // Parsing a peer id is costly and this runs for every peer on every tick.
    let id = this.ids.get(peer)
    if (id === undefined) {
      try {
        id = peerIdFromString(peer)
      } catch {
        return []
      }
      if (this.ids.size >= MAX_CACHED_IDS) this.ids.clear()
      this.ids.set(peer, id)
    }
    return this.init.libp2p.getConnections(id)
  }

  /** Called on every maintenance tick. */
  tick(peers: string[]): void {
    if (this.stopped) return
    if (Date.now() >= this.nextBootstrapAt && !this.bootstrapping) void this.keepBootstrap()
    // Count links once per tick, not once per peer: this runs four times a second.
    let budget = this.init.maxDirectPeers - this.directPeers() - this.dialing.size
    if (budget <= 0) return
    // Each peer tries the others in its own stable random order (rendezvous weight by our
    // id), not in join order: otherwise every peer dials the oldest ones and they drown.
    for (const peer of rendezvous(this.selfId, peers)) {
      if (budget <= 0) return
      const r = this.init.record(peer)
      if (r === undefined) continue
      const before = this.dialing.size
      this.maybeDial(r, true)
      budget -= this.dialing.size - before
    }
  }

  private async resolveBootstrap(signal: AbortSignal): Promise<void> {
    const addrs: AddrEntry[] = []
    for (const e of this.init.bootstrap) {
      if (e.kind === 'addr') {
        addrs.push(e)
        continue
      }
      try {
        const { entries, problems } = parseBootstrapDocument(e.url, await platform.fetchJson(e.url, signal))
        for (const p of problems) this.init.log.error('bootstrap: %s', p)
        for (const x of entries) if (x.kind === 'addr') addrs.push(x)
      } catch (err) {
        this.init.log.error('bootstrap: fetching %s failed: %s', e.url, (err as Error).message)
      }
    }
    this.bootstrapAddrs = addrs
  }

  /** Keep one connection to a bootstrap relay, redialling with backoff. */
  private async keepBootstrap(): Promise<void> {
    if (this.init.bootstrap.length === 0) return
    const { libp2p, log } = this.init
    this.bootstrapping = true
    try {
      if (this.bootstrapAddrs.some((b) => this.connectionsTo(b.peer).length > 0)) {
        this.retryMs = BOOTSTRAP_RETRY_MIN_MS
        return
      }
      const signal = AbortSignal.timeout(DEFAULT_DIAL_TIMEOUT_MS)
      // A bootstrap.json may list new addresses by now (a relay restarted on a new port).
      if (this.bootstrapAddrs.length === 0 || this.init.bootstrap.some((e) => e.kind === 'url')) {
        await this.resolveBootstrap(signal)
      }
      const results = await Promise.allSettled(
        this.bootstrapAddrs.map((b) => libp2p.dial(b.addr, { signal }))
      )
      if (this.stopped) return
      if (results.some((r) => r.status === 'fulfilled')) {
        this.retryMs = BOOTSTRAP_RETRY_MIN_MS
        this.setState('online')
      } else {
        for (const r of results)
          if (r.status === 'rejected') log('bootstrap dial failed: %s', (r.reason as Error).message)
        if (libp2p.getConnections().length === 0) this.setState('offline')
        this.retryMs = Math.min(this.retryMs * 2, BOOTSTRAP_RETRY_MAX_MS)
      }
    } finally {
      this.nextBootstrapAt = Date.now() + this.retryMs
      this.bootstrapping = false
    }
  }

  /** Addresses worth dialling directly: not a bare relayed circuit. */
  private dialable(r: PeerRecord): string[] {
    return r.addrs.filter((a) => !a.includes('/p2p-circuit') || a.includes('/webrtc'))
  }

  /** How many mesh peers (not relays) we hold a direct link to. */
  directPeers(): number {
    const peers = new Set<string>()
    for (const c of this.init.libp2p.getConnections()) {
      if (c.status !== 'open' || c.limits !== undefined) continue
      const id = c.remotePeer.toString()
      const role = this.init.record(id)?.role
      if (role !== undefined && role !== 'relay') peers.add(id)
    }
    return peers.size
  }

  /** A peer found on the LAN by mDNS: connect, and the registry exchange follows. */
  private readonly onDiscovery = (evt: CustomEvent<{ id: PeerId }>): void => {
    const id = evt.detail.id
    const peer = id.toString()
    if (this.stopped || this.connectionsTo(peer).length > 0) return
    if ((this.nextDialAt.get(peer) ?? 0) > Date.now()) return
    this.nextDialAt.set(peer, Date.now() + DISCOVERY_RETRY_MS)
    this.init.libp2p
      .dial(id, { signal: AbortSignal.timeout(DEFAULT_DIAL_TIMEOUT_MS) })
      .catch((err: unknown) => {
        this.init.log('dial of discovered %s failed: %s', peer, (err as Error).message)
      })
  }

  /** Upgrade to a direct link with a peer we heard of (WebRTC via the relay, or TCP). */
  maybeDial(r: PeerRecord, underCap = false): void {
    if (this.stopped || r.role === 'relay' || r.state === 'leaving' || this.dialing.has(r.peer)) return
    if (bestConnection(this.connectionsTo(r.peer), { allowLimited: false }) !== undefined) return
    // A sparse mesh: past the cap, records still arrive by gossip; tasks dial on demand.
    if (!underCap && this.directPeers() + this.dialing.size >= this.init.maxDirectPeers) return
    const now = Date.now()
    if ((this.nextDialAt.get(r.peer) ?? 0) > now) return
    const waited = now - (this.init.firstSeen(r.peer) ?? now)
    if (this.selfId > r.peer && waited < DISCOVERY_FALLBACK_MS) return
    if (this.dialable(r).length === 0) return
    this.nextDialAt.set(r.peer, now + DISCOVERY_RETRY_MS)
    this.dialing.add(r.peer)
    this.dial(r.peer, AbortSignal.timeout(DEFAULT_DIAL_TIMEOUT_MS))
      .catch((err: unknown) => {
        this.init.log('dial %s failed: %s', r.name, (err as Error).message)
      })
      .finally(() => this.dialing.delete(r.peer))
  }

  /**
   * A direct link to `peer`, for a caller that needs one now (an RPC channel). One dial
   * per peer at a time: a second caller joins the one in flight. Two peers that dial each
   * other at once over WebRTC can both hang until the timeout, so while the peer is the
   * one expected to dial us (the lower id, newly seen), give it that chance first.
   */
  async dial(peer: string, signal: AbortSignal): Promise<void> {
    const running = this.inflight.get(peer)
    if (running !== undefined) return abortable(running, signal)
    const p = this.dialOnce(peer, signal).finally(() => this.inflight.delete(peer))
    this.inflight.set(peer, p)
    return p
  }

  private async dialOnce(peer: string, signal: AbortSignal): Promise<void> {
    const r = this.init.record(peer)
    const addrs = r === undefined ? [] : this.dialable(r)
    if (addrs.length === 0) throw new PeerLostError(`no dialable address for ${peer}`)
    const waited = Date.now() - (this.init.firstSeen(peer) ?? 0)
    if (this.selfId > peer && waited < DISCOVERY_FALLBACK_MS && r?.role !== 'relay') {
      await this.directOrAfter(peer, DISCOVERY_FALLBACK_MS - waited, signal)
      if (bestConnection(this.connectionsTo(peer), { allowLimited: false }) !== undefined) return
    }
    await this.init.libp2p.dial(
      addrs.map((a) => multiaddr(a)),
      { signal }
    )
  }

  /** Resolves when a direct connection to `peer` opens, or after `ms`, or on abort. */
  private directOrAfter(peer: string, ms: number, signal: AbortSignal): Promise<void> {
    const { libp2p } = this.init
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        libp2p.removeEventListener('connection:open', check)
        signal.removeEventListener('abort', done)
        resolve()
      }
      const check = (): void => {
        if (bestConnection(this.connectionsTo(peer), { allowLimited: false }) !== undefined) done()
      }
      const timer = setTimeout(done, ms)
      libp2p.addEventListener('connection:open', check)
      signal.addEventListener('abort', done)
      check()
    })
  }

  /** A peer left: drop what we kept about it. */
  forget(peer: string): void {
    this.nextDialAt.delete(peer)
    this.ids.delete(peer)
  }
}

/** `p`, or a rejection as soon as `signal` aborts. */
function abortable(p: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error)
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error)
    signal.addEventListener('abort', onAbort, { once: true })
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
