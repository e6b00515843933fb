import { peerIdFromString } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import type { BootstrapEntry } from './bootstrap.ts'
import { capabilitiesProblem, needsProblem } from './capabilities/validate.ts'
import {
  GOODBYE_TIMEOUT_MS,
  EVACUATE_MS,
  EVACUATE_UNHURRIED_MS,
  DEFAULT_HEALTH,
  PAUSED_GRACE_MS,
  DEFAULT_BROWSER_MAX_DIRECT_PEERS,
  DEFAULT_NODE_MAX_DIRECT_PEERS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_TASK_TIMEOUT_MS
} from './constants.ts'
import { InvalidCapabilitiesError, InvalidOptionsError, StoppedError } from './errors.ts'
import { Emitter } from './events.ts'
import { meshLogger } from './log.ts'
import { bestLink } from './membership/link.ts'
import { Membership } from './membership/membership.ts'
import { selfPeerInfo } from './membership/peer-table.ts'
import type { MeshLibp2p } from './node/create-libp2p.ts'
import { rank, senior } from './placement/rank.ts'
import type { PeerRecord, RecordState } from './registry/record.ts'
import { Registry } from './registry/registry.ts'
import { SelfRecord } from './registry/self-record.ts'
import { Rpc } from './rpc/rpc.ts'
import { libp2pTransport } from './rpc/transport.ts'
import { Connectivity } from './node/connectivity.ts'
import { DownNotices } from './membership/down-notices.ts'
import { BadInput } from './membership/bad-input.ts'
import { FailureDetector } from './membership/detector.ts'
import type { Mesh, MeshStats } from './api.ts'
import { Work } from './work/work.ts'
import { WorkFacade } from './work/facade.ts'
import { WorkFeed, directoryOf } from './work/feed.ts'
import { Evacuation, evacuationPolicy } from './work/evacuation.ts'
import { watchPeerLifecycle } from './platform/lifecycle.ts'
import { replicate } from './replication/replica.ts'
import type { Replica, Replicable } from './replication/replica.ts'
import type {
  Capabilities,
  HealthOptions,
  ConnectionState,
  LinkKind,
  MeshEventName,
  MeshEvents,
  MeshOptions,
  Needs,
  PeerInfo,
  PeerRole
} from './types.ts'

/** The one implementation of `Mesh`; `createMesh()` builds and starts it. */
export class MeshNode extends WorkFacade implements Mesh {
  readonly libp2p: MeshLibp2p
  readonly peerId: string
  readonly name: string
  readonly role: PeerRole
  private readonly options: MeshOptions
  /** The health options with defaults applied. */
  private readonly health: Required<HealthOptions>
  private readonly log = meshLogger('node')
  private readonly emitter: Emitter
  private readonly registry: Registry
  private readonly membership: Membership
  private readonly rpc: Rpc
  protected readonly work: Work
  private readonly feed: WorkFeed
  private readonly evacuation: Evacuation
  private readonly startedAt = Date.now()
  private readonly release: () => void
  private caps: Capabilities
  private readonly self: SelfRecord
  private readonly timers: Array<ReturnType<typeof setInterval>> = []
  private unwatchLifecycle: () => void = () => {}
  private stopped = false
  private readonly connectivity: Connectivity
  private readonly downNotices: DownNotices
  private readonly detector: FailureDetector
  private readonly replicas = new Set<Replica<Replicable>>()
  private readonly badInput = new BadInput(this.log, (peer) => {
    this.libp2p.hangUp(peerIdFromString(peer)).catch(() => {})
  })

  constructor(
    libp2p: MeshLibp2p,
    key: PrivateKey,
    role: PeerRole,
    name: string,
    bootstrap: BootstrapEntry[],
    options: MeshOptions,
    release: () => void
  ) {
    super()
    this.libp2p = libp2p
    this.peerId = libp2p.peerId.toString()
    this.role = role
    this.name = name
    this.options = options
    this.release = release
    this.caps = { ...(options.capabilities ?? {}) }
    this.emitter = new Emitter((err) => this.log.error('an event listener threw: %s', (err as Error).message))
    const maxMessageBytes = options.limits?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    const h = (this.health = { ...DEFAULT_HEALTH, ...options.health })
    this.membership = new Membership({
      emitter: this.emitter,
      log: meshLogger('membership'),
      thresholds: {
        suspectAfterMs: h.suspectAfterMs,
        downAfterMs: h.downAfterMs,
        pausedGraceMs: PAUSED_GRACE_MS,
        lostGraceMs: h.lostGraceMs
      },
      linkOf: (peer) => this.linkOf(peer),
      dropRecord: (peer) => {
        this.registry.remove(peer)
        this.connectivity.forget(peer)
      },
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
        this.feed.record(signed.record.peer, signed.record.dir)
        this.connectivity.maybeDial(signed.record)
      },
      onBadInput: (peer, err) => this.penalise(peer, err)
    })
    this.self = new SelfRecord(this.registry, this.log, (state) => this.ownRecordFields(state))
    this.downNotices = new DownNotices({
      libp2p,
      log: meshLogger('membership'),
      onNotice: (notice, from) => this.detector.onDownNotice(notice, from),
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
      transport: libp2pTransport({
        libp2p,
        maxMessageBytes,
        dial: (peer, signal) => this.connectivity.dial(peer, signal)
      }),
      log: meshLogger('rpc'),
      onBadInput: (peer, err) => this.penalise(peer, err),
      onBye: (peer, rec) => this.detector.onBye(peer, rec),
      onAlive: (peer) => this.membership.alive(peer, Date.now()),
      onCast: (peer, kind, body) => this.work.runtime.onCast(peer, kind, body),
      onDisconnect: (peer) => this.work.runtime.disconnected(peer)
    })
    this.work = new Work({
      self: this.peerId,
      rpc: this.rpc,
      log: meshLogger('work'),
      rank: (needs) => this.resolve(needs).map((p) => p.id),
      quality: (peer) => this.membership.get(peer)?.quality ?? 'disconnected',
      emit: (event, detail) => this.emitter.emit(event, detail),
      republish: () => this.self.republishSoon(),
      directory: () => directoryOf(this.membership),
      penalise: (peer, err) => this.penalise(peer, err),
      now: () => Date.now()
    })
    this.evacuation = new Evacuation(evacuationPolicy(options), (why) =>
      this.work.evacuate(why === 'pagehide' ? EVACUATE_MS : EVACUATE_UNHURRIED_MS, why)
    )
    this.feed = new WorkFeed(this.work, () => this.stopped)
    this.feed.attach(this.emitter)
    this.detector = new FailureDetector({
      libp2p,
      selfId: this.peerId,
      log: meshLogger('membership'),
      membership: this.membership,
      registry: this.registry,
      rpc: this.rpc,
      connectivity: this.connectivity,
      downNotices: this.downNotices,
      pingIntervalMs: h.pingIntervalMs,
      byeUrls: bootstrap.flatMap((e) => (e.kind === 'url' ? [new URL('/bye', e.url).toString()] : [])),
      penalise: (peer, err) => this.penalise(peer, err)
    })
  }

  async start(): Promise<void> {
    await this.libp2p.start()
    await this.registry.start()
    this.downNotices.start()
    await this.rpc.start()
    this.detector.start()
    this.connectivity.start()
    this.libp2p.addEventListener('self:peer:update', this.onSelfUpdate)
    this.unwatchLifecycle = watchPeerLifecycle({
      sayGoodbye: () => this.detector.sayGoodbye(),
      publish: (state) => this.self.publishInBackground(state),
      returned: () => this.registry.returned(),
      movable: () => this.work.movable().length,
      evacuation: this.evacuation
    })
    await this.self.publish('up')
    const h = this.health
    const every = (ms: number, fn: () => void): number => this.timers.push(setInterval(fn, ms))
    every(h.heartbeatIntervalMs, () => void this.registry.heartbeat())
    every(h.pingIntervalMs, () => this.detector.pingAll())
    every(h.antiEntropyIntervalMs, () => this.registry.antiEntropy())
    every(250, () => this.maintain())
    this.maintain()
  }

  addresses(): string[] {
    return this.libp2p.getMultiaddrs().map((a) => a.toString())
  }

  private ownRecordFields(state: RecordState): Omit<PeerRecord, 'peer' | 'seq'> {
    const caps: Capabilities = { ...this.caps }
    const tasks = this.work.hostedTasks(this.caps)
    const actors = this.work.hostedActors()
    if (tasks.length > 0) caps.tasks = tasks
    if (actors.length > 0) caps.actors = actors
    const dir = this.work.directory()
    return {
      ...(Object.keys(dir.names).length + dir.children.length + (dir.guests?.length ?? 0) > 0 ? { dir } : {}),
      name: this.name,
      role: this.role,
      caps,
      addrs: this.addresses().slice(0, 32),
      startedAt: this.startedAt,
      state
    }
  }

  private readonly onSelfUpdate = (): void => this.self.republishSoon()

  async advertise(caps: Capabilities, o: { replace?: boolean } = {}): Promise<void> {
    const prev = this.caps
    const next = o.replace === true ? { ...caps } : { ...this.caps, ...caps }
    // `tasks` and `actors` are what we host: computed, never taken from the caller.
    delete next.tasks
    delete next.actors
    this.caps = next
    // Check the record as published (tasks included); keep the old set if it cannot go out.
    const problem = capabilitiesProblem(this.self.fields().caps)
    try {
      if (problem !== undefined) throw new InvalidCapabilitiesError(problem)
      await this.self.publish()
    } catch (err) {
      // Roll back only our own change, not one made while this publish was pending.
      if (this.caps === next) this.caps = prev
      throw err
    }
    this.emitter.emit('capabilities:change', { id: this.peerId, capabilities: this.capabilities() })
  }

  capabilities(peerId?: string): Capabilities {
    if (peerId === undefined || peerId === this.peerId) return { ...this.self.fields().caps }
    return { ...(this.registry.get(peerId)?.caps ?? {}) }
  }

  peers(): PeerInfo[] {
    return this.membership.list()
  }

  private selfInfo(): PeerInfo {
    const { peerId: id, name, role, startedAt } = this
    return selfPeerInfo({
      id,
      name,
      role,
      startedAt,
      capabilities: this.capabilities(),
      addresses: this.addresses()
    })
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

  acceptGoodbye(envelope: Uint8Array): Promise<void> {
    return this.detector.acceptGoodbye(envelope)
  }

  async ping(peerId: string, o: { timeoutMs?: number } = {}): Promise<number> {
    if (this.stopped) throw new StoppedError()
    return this.detector.ping(peerId, o.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS)
  }

  replicate<C extends Replicable>(name: string, crdt: C): Replica<C> {
    if (this.stopped) throw new StoppedError()
    const r = replicate(name, crdt, {
      libp2p: this.libp2p,
      log: meshLogger('replica'),
      antiEntropyIntervalMs: this.health.antiEntropyIntervalMs,
      onBadInput: (peer, err) => this.penalise(peer, err)
    })
    this.replicas.add(r)
    return r
  }

  private readonly penalise = (peer: string, err: Error): void => this.badInput.penalise(peer, err)

  stats(): MeshStats {
    return { ...this.badInput.stats(), dropped: this.work.runtime.dropCounts() }
  }

  connectionState(): ConnectionState {
    return this.connectivity.connectionState
  }

  private maintain(): void {
    if (this.stopped) return
    this.membership.sweep(Date.now())
    this.connectivity.tick(this.membership.ids())
  }

  protected hostedChanged(undo: () => void): void {
    const problem = capabilitiesProblem(this.self.fields().caps)
    if (problem !== undefined) {
      undo()
      throw new InvalidCapabilitiesError(`cannot host it: ${problem}`)
    }
    this.self.republishSoon()
  }

  on<K extends MeshEventName>(event: K, fn: (detail: MeshEvents[K]) => void): () => void {
    return this.emitter.on(event, fn)
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (this.evacuation.policy.onStop && this.libp2p.status === 'started')
      await this.work
        .evacuate(EVACUATE_MS, 'stop')
        .then(() => this.self.publish())
        .catch(() => {})
    this.evacuation.stop()
    this.self.stopped = true
    for (const t of this.timers) clearInterval(t)
    this.unwatchLifecycle()
    this.libp2p.removeEventListener('self:peer:update', this.onSelfUpdate)
    this.detector.stop()
    this.downNotices.stop()
    if (this.libp2p.status === 'started') {
      // Announce the leave so every peer sees it at once rather than after a timeout.
      await this.detector.sayGoodbyeAndWait(GOODBYE_TIMEOUT_MS)
      await this.self.publish('leaving').catch(() => {})
    }
    for (const r of this.replicas) r.close()
    this.work.stop()
    await this.rpc.stop()
    this.registry.stop()
    await this.libp2p.stop()
    this.membership.clear()
    this.connectivity.stop()
    this.emitter.clear()
    this.release()
  }
}
