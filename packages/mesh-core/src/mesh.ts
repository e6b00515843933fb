import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { platform } from '#platform'
import { parseBootstrapEntry } from './bootstrap.ts'
import type { BootstrapEntry } from './bootstrap.ts'
import { capabilitiesProblem, needsProblem } from './capabilities/validate.ts'
import {
  DEFAULT_ANTI_ENTROPY_INTERVAL_MS,
  DEFAULT_BROWSER_MAX_DIRECT_PEERS,
  DEFAULT_NODE_MAX_DIRECT_PEERS,
  DEFAULT_DOWN_AFTER_MS,
  DEFAULT_LOST_GRACE_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_PING_INTERVAL_MS,
  DEFAULT_SUSPECT_AFTER_MS,
  DEFAULT_TASK_TIMEOUT_MS,
  MAX_NAME_LENGTH
} from './constants.ts'
import { InvalidCapabilitiesError, InvalidOptionsError, NoCapablePeerError, StoppedError } from './errors.ts'
import { Emitter } from './events.ts'
import { meshLogger } from './log.ts'
import { bestConnection, bestLink } from './membership/link.ts'
import { Membership } from './membership/membership.ts'
import { createMeshLibp2p } from './node/create-libp2p.ts'
import type { MeshLibp2p } from './node/create-libp2p.ts'
import { rank, senior } from './placement/rank.ts'
import type { PeerRecord, RecordState } from './registry/record.ts'
import { Registry } from './registry/registry.ts'
import { Rpc } from './rpc/rpc.ts'
import { Connectivity } from './node/connectivity.ts'
import { DownNotices } from './membership/down-notices.ts'
import type { DownNotice } from './membership/down-notices.ts'
import { Task } from './rpc/task.ts'
import type {
  Capabilities,
  ConnectionState,
  LinkKind,
  MeshEventName,
  MeshEvents,
  MeshOptions,
  Needs,
  PeerInfo,
  PeerRole,
  TaskHandler,
  TaskOptions
} from './types.ts'

/** Bad frames from one peer before we hang up on it. */
const BAD_INPUT_HANGUP = 20
/** How long a hidden tab counts as paused before it is declared down. */
const PAUSED_GRACE_MS = 60_000

/** The Mesh facade (DESIGN.md, Public API). */
export interface Mesh {
  readonly peerId: string
  readonly name: string
  readonly role: PeerRole
  /** Our own multiaddrs, each ending in /p2p/<peerId>. */
  addresses(): string[]
  connectionState(): ConnectionState
  advertise(caps: Capabilities, o?: { replace?: boolean }): Promise<void>
  capabilities(peerId?: string): Capabilities
  resolve(needs: Needs, o?: { limit?: number }): PeerInfo[]
  nodesFor(capability: string): string[]
  allCapabilities(): string[]
  peers(): PeerInfo[]
  coordinator(): string
  /** Round trip to a peer over its direct RPC link, in milliseconds (dials when needed). */
  ping(peerId: string, o?: { timeoutMs?: number }): Promise<number>
  define(name: string, handler: TaskHandler, o?: { needs?: Needs }): void
  task<R>(needs: Needs, name: string, args?: unknown, o?: TaskOptions): Task<R>
  on<K extends MeshEventName>(event: K, fn: (detail: MeshEvents[K]) => void): () => void
  /** Counters for what this peer rejected and dropped. */
  stats(): MeshStats
  stop(): Promise<void>
  /** The underlying libp2p node, for diagnostics and benchmarks. */
  readonly libp2p: MeshLibp2p
}

export interface MeshStats {
  badInput: number
  badInputByPeer: Record<string, number>
}

/** Create a peer, start it and join the mesh. */
export async function createMesh(options: MeshOptions = {}): Promise<Mesh> {
  const bootstrap = (options.bootstrap ?? platform.defaultBootstrap()).map(parseBootstrapEntry)
  const name = options.name ?? platform.defaultName()
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new InvalidOptionsError(`name must be 1 to ${MAX_NAME_LENGTH} characters`)
  }
  const capsProblem = capabilitiesProblem(options.capabilities ?? {})
  if (capsProblem !== undefined) throw new InvalidCapabilitiesError(capsProblem)
  const { key, release } = await platform.loadIdentity(options)
  const role = options.role ?? platform.defaultRole
  const libp2p = await createMeshLibp2p(key, role, options)
  const mesh = new MeshNode(libp2p, key, role, name, bootstrap, options, release)
  try {
    await mesh.start()
  } catch (err) {
    await mesh.stop()
    throw err
  }
  return mesh
}

class MeshNode implements Mesh {
  readonly libp2p: MeshLibp2p
  readonly peerId: string
  readonly name: string
  readonly role: PeerRole
  private readonly options: MeshOptions
  private readonly log = meshLogger('node')
  private readonly emitter: Emitter
  private readonly registry: Registry
  private readonly membership: Membership
  private readonly rpc: Rpc
  private readonly startedAt = Date.now()
  private readonly release: () => void
  private caps: Capabilities
  private recordState: RecordState = 'up'
  private readonly timers: Array<ReturnType<typeof setInterval>> = []
  private unwatchLifecycle: () => void = () => {}
  private stopped = false
  private readonly connectivity: Connectivity
  private readonly downNotices: DownNotices
  private readonly badInput = new Map<string, number>()
  private publishQueued = false

  constructor(
    libp2p: MeshLibp2p,
    key: PrivateKey,
    role: PeerRole,
    name: string,
    bootstrap: BootstrapEntry[],
    options: MeshOptions,
    release: () => void
  ) {
    this.libp2p = libp2p
    this.peerId = libp2p.peerId.toString()
    this.role = role
    this.name = name
    this.options = options
    this.release = release
    this.caps = { ...(options.capabilities ?? {}) }
    this.emitter = new Emitter((err) => this.log.error('an event listener threw: %s', (err as Error).message))
    const maxMessageBytes = options.limits?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    const h = options.health ?? {}
    this.membership = new Membership({
      emitter: this.emitter,
      log: meshLogger('membership'),
      thresholds: {
        suspectAfterMs: h.suspectAfterMs ?? DEFAULT_SUSPECT_AFTER_MS,
        downAfterMs: h.downAfterMs ?? DEFAULT_DOWN_AFTER_MS,
        pausedGraceMs: PAUSED_GRACE_MS,
        lostGraceMs: h.lostGraceMs ?? DEFAULT_LOST_GRACE_MS
      },
      linkOf: (peer) => this.linkOf(peer),
      dropRecord: (peer) => this.registry.remove(peer),
      onDown: (peer, seq, direct) => {
        // Only a peer that watched the death itself speaks: hearsay would only echo.
        if (direct) void this.downNotices.publish({ peer, seq })
      }
    })
    this.registry = new Registry({
      libp2p,
      key,
      log: meshLogger('registry'),
      maxMessageBytes,
      onRecord: (signed) => {
        this.membership.onRecord(signed.record, Date.now())
        this.connectivity.maybeDial(signed.record)
      },
      onBadInput: (peer, err) => this.penalise(peer, err)
    })
    this.downNotices = new DownNotices({
      libp2p,
      log: meshLogger('membership'),
      onNotice: (notice, from) => this.onDownNotice(notice, from),
      onBadInput: (peer, err) => this.penalise(peer, err)
    })
    this.connectivity = new Connectivity({
      libp2p,
      log: meshLogger('connectivity'),
      bootstrap,
      record: (peer) => this.registry.get(peer),
      firstSeen: (peer) => this.membership.get(peer)?.firstSeen,
      onState: (state) => this.emitter.emit('connection', { state }),
      maxDirectPeers:
        options.limits?.maxDirectPeers ??
        (role === 'browser' ? DEFAULT_BROWSER_MAX_DIRECT_PEERS : DEFAULT_NODE_MAX_DIRECT_PEERS)
    })
    this.rpc = new Rpc({
      libp2p,
      log: meshLogger('rpc'),
      maxMessageBytes,
      dial: (peer, signal) => this.connectivity.dial(peer, signal),
      onBadInput: (peer, err) => this.penalise(peer, err),
      onBye: (peer, rec) => this.onBye(peer, rec),
      onAlive: (peer) => this.membership.alive(peer, Date.now())
    })
  }

  async start(): Promise<void> {
    await this.libp2p.start()
    await this.registry.start()
    this.downNotices.start()
    await this.rpc.start()
    this.libp2p.addEventListener('peer:disconnect', this.onPeerDisconnect)
    this.connectivity.start()
    this.libp2p.addEventListener('self:peer:update', this.onSelfUpdate)
    this.unwatchLifecycle = platform.watchLifecycle({
      leaving: () => this.sayGoodbye(),
      hidden: (hidden) => void this.publish(hidden ? 'paused' : 'up')
    })
    await this.publish('up')
    const h = this.options.health ?? {}
    const every = (ms: number, fn: () => void): void => {
      this.timers.push(setInterval(fn, ms))
    }
    every(h.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS, () => void this.registry.heartbeat())
    every(h.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS, () => this.pingAll())
    every(h.antiEntropyIntervalMs ?? DEFAULT_ANTI_ENTROPY_INTERVAL_MS, () => this.registry.antiEntropy())
    every(250, () => this.maintain())
    this.maintain()
  }

  // ---- identity and records ----------------------------------------------------

  addresses(): string[] {
    return this.libp2p.getMultiaddrs().map((a) => a.toString())
  }

  private ownRecordFields(state: RecordState): Omit<PeerRecord, 'peer' | 'seq'> {
    const tasks = this.rpc.names().filter((n) => !n.startsWith('mesh.'))
    const caps: Capabilities = { ...this.caps }
    if (tasks.length > 0) caps.tasks = tasks
    return {
      name: this.name,
      role: this.role,
      caps,
      addrs: this.addresses().slice(0, 32),
      startedAt: this.startedAt,
      state
    }
  }

  private async publish(state: RecordState = this.recordState): Promise<void> {
    if (this.stopped && state !== 'leaving') return
    this.recordState = state
    await this.registry.publishSelf(this.ownRecordFields(state))
  }

  /** Coalesce republishing when several things change in one tick. */
  private republishSoon(): void {
    if (this.publishQueued) return
    this.publishQueued = true
    queueMicrotask(() => {
      this.publishQueued = false
      void this.publish()
    })
  }

  private readonly onSelfUpdate = (): void => this.republishSoon()

  async advertise(caps: Capabilities, o: { replace?: boolean } = {}): Promise<void> {
    const next = o.replace === true ? { ...caps } : { ...this.caps, ...caps }
    const problem = capabilitiesProblem(next)
    if (problem !== undefined) throw new InvalidCapabilitiesError(problem)
    this.caps = next
    await this.publish()
    this.emitter.emit('capabilities:change', { id: this.peerId, capabilities: this.capabilities() })
  }

  capabilities(peerId?: string): Capabilities {
    if (peerId === undefined || peerId === this.peerId)
      return { ...this.ownRecordFields(this.recordState).caps }
    return { ...(this.registry.get(peerId)?.caps ?? {}) }
  }

  // ---- membership ----------------------------------------------------------------

  peers(): PeerInfo[] {
    return this.membership.list()
  }

  private selfInfo(): PeerInfo {
    return {
      id: this.peerId,
      name: this.name,
      role: this.role,
      capabilities: this.capabilities(),
      status: 'healthy',
      link: 'none',
      rttMs: 0,
      rttAvgMs: 0,
      rttHistory: [],
      quality: 'excellent',
      addresses: this.addresses(),
      startedAt: this.startedAt,
      lastSeen: Date.now()
    }
  }

  resolve(needs: Needs, o: { limit?: number } = {}): PeerInfo[] {
    const problem = needsProblem(needs)
    if (problem !== undefined) throw new InvalidOptionsError(problem)
    // We count as a direct, zero-RTT candidate ourselves: a capable local peer wins.
    const self = { ...this.selfInfo(), link: 'tcp' as LinkKind }
    const ranked = rank([self, ...this.peers()], needs).map((p) =>
      p.id === this.peerId ? this.selfInfo() : p
    )
    return o.limit === undefined ? ranked : ranked.slice(0, o.limit)
  }

  nodesFor(capability: string): string[] {
    return this.resolve({ [capability]: true }).map((p) => p.id)
  }

  allCapabilities(): string[] {
    const keys = new Set(Object.keys(this.capabilities()))
    for (const p of this.peers()) for (const k of Object.keys(p.capabilities)) keys.add(k)
    return [...keys].sort()
  }

  coordinator(): string {
    return senior([this.selfInfo(), ...this.peers()]) ?? this.peerId
  }

  private linkOf(peer: string): LinkKind {
    return bestLink(this.connectivity.connectionsTo(peer))
  }

  private pingAll(): void {
    const timeout = this.options.health?.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS
    for (const peer of this.membership.ids()) {
      if (bestConnection(this.connectivity.connectionsTo(peer), { allowLimited: false }) === undefined)
        continue
      this.rpc
        .ping(peer, AbortSignal.timeout(timeout))
        .then((ms) => this.membership.rtt(peer, ms, Date.now()))
        .catch((err: unknown) => this.log('ping %s failed: %s', peer, (err as Error).message))
    }
  }

  async ping(peerId: string, o: { timeoutMs?: number } = {}): Promise<number> {
    if (this.stopped) throw new StoppedError()
    const ms = await this.rpc.ping(peerId, AbortSignal.timeout(o.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS))
    this.membership.rtt(peerId, ms, Date.now())
    return ms
  }

  private readonly onPeerDisconnect = (evt: CustomEvent<PeerId>): void => {
    this.membership.lost(evt.detail.toString(), Date.now())
  }

  /**
   * Leaving now (a page being closed): the pre-signed goodbye goes out synchronously on
   * every direct channel, then, if there is still time, by gossip.
   */
  private sayGoodbye(): void {
    const bye = this.registry.leavingEnvelope
    if (bye !== undefined) this.rpc.broadcastBye(bye)
    void this.publish('leaving')
  }

  /** A direct peer said goodbye: drop it, and tell the peers that only know it by gossip. */
  private onBye(peer: string, rec: Uint8Array): void {
    this.registry
      .acceptDirect(rec, peer)
      .then((r) => {
        if (r.state === 'leaving') void this.downNotices.publish({ peer, seq: r.seq, reason: 'normal' })
      })
      .catch((err: unknown) => this.penalise(peer, err as Error))
  }

  /** Another peer says it saw `notice.peer` die. */
  private onDownNotice(notice: DownNotice, from: string): void {
    if (notice.peer === this.peerId) {
      // We are alive: refute with a newer record, which everyone accepts.
      this.log('refuting a down notice about us from %s', from)
      void this.registry.heartbeat(notice.seq)
      return
    }
    const known = this.registry.versionOf(notice.peer)
    if (known !== undefined && known > notice.seq) return
    // Our own direct link to it is better evidence than hearsay.
    if (bestConnection(this.connectivity.connectionsTo(notice.peer), { allowLimited: false }) !== undefined)
      return
    this.registry.remove(notice.peer, notice.seq)
    this.membership.remove(notice.peer, notice.reason ?? 'noconnection')
  }

  private penalise(peer: string, err: Error): void {
    const n = (this.badInput.get(peer) ?? 0) + 1
    this.badInput.set(peer, n)
    this.log('bad input #%d from %s: %s', n, peer, err.message)
    if (n % BAD_INPUT_HANGUP === 0) {
      this.log('hanging up on %s after %d bad frames', peer, n)
      this.libp2p.hangUp(peerIdFromString(peer)).catch(() => {})
    }
  }

  stats(): MeshStats {
    let total = 0
    for (const n of this.badInput.values()) total += n
    return { badInput: total, badInputByPeer: Object.fromEntries(this.badInput) }
  }

  // ---- connectivity ----------------------------------------------------------------

  // ---- connectivity -----------------------------------------------------------------

  connectionState(): ConnectionState {
    return this.connectivity.connectionState
  }

  private maintain(): void {
    if (this.stopped) return
    this.membership.sweep(Date.now())
    this.connectivity.tick(this.membership.ids())
  }

  // ---- tasks -------------------------------------------------------------------------

  define(name: string, handler: TaskHandler, _o: { needs?: Needs } = {}): void {
    if (name.length === 0 || name.length > 256)
      throw new InvalidOptionsError('a task name is 1 to 256 characters')
    this.rpc.define(name, handler)
    if (!this.stopped) this.republishSoon()
  }

  task<R>(needs: Needs, name: string, args?: unknown, o: TaskOptions = {}): Task<R> {
    return new Task<R>(async (signal, setPeer) => {
      if (this.stopped) throw new StoppedError()
      const timeoutMs = o.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS
      let target = o.peer
      if (target === undefined) {
        const best = this.resolve({ ...needs, tasks: name }, { limit: 1 })[0]
        if (best === undefined)
          throw new NoCapablePeerError(`no peer offers task "${name}" with ${JSON.stringify(needs)}`)
        target = best.id
      }
      setPeer(target)
      if (target === this.peerId) {
        return (await this.rpc.runLocal(name, args, {
          from: this.peerId,
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
          attempt: 1,
          idempotencyKey: `${this.peerId}:${crypto.randomUUID()}`
        })) as R
      }
      return (await this.rpc.call(target, name, args, { timeoutMs, signal })) as R
    }, o.signal)
  }

  // ---- events and shutdown ------------------------------------------------------------

  on<K extends MeshEventName>(event: K, fn: (detail: MeshEvents[K]) => void): () => void {
    return this.emitter.on(event, fn)
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    for (const t of this.timers) clearInterval(t)
    this.unwatchLifecycle()
    this.libp2p.removeEventListener('self:peer:update', this.onSelfUpdate)
    this.libp2p.removeEventListener('peer:disconnect', this.onPeerDisconnect)
    this.downNotices.stop()
    if (this.libp2p.status === 'started') {
      // Announce the leave so every peer sees it at once rather than after a timeout.
      const bye = this.registry.leavingEnvelope
      if (bye !== undefined) this.rpc.broadcastBye(bye)
      await this.publish('leaving').catch(() => {})
    }
    await this.rpc.stop()
    this.registry.stop()
    await this.libp2p.stop()
    this.membership.clear()
    this.connectivity.stop()
    this.emitter.clear()
    this.release()
  }
}
