import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Connection } from '@libp2p/interface'
import { platform } from '#platform'
import { parseBootstrapDocument, parseBootstrapEntry } from './bootstrap.ts'
import type { BootstrapEntry } from './bootstrap.ts'
import { capabilitiesProblem, needsProblem } from './capabilities/validate.ts'
import {
  BOOTSTRAP_RETRY_MAX_MS,
  BOOTSTRAP_RETRY_MIN_MS,
  DEFAULT_DIAL_TIMEOUT_MS,
  DEFAULT_DOWN_AFTER_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_PING_INTERVAL_MS,
  DEFAULT_SUSPECT_AFTER_MS,
  DEFAULT_TASK_TIMEOUT_MS,
  MAX_NAME_LENGTH
} from './constants.ts'
import { InvalidCapabilitiesError, InvalidOptionsError, NoCapablePeerError, PeerLostError, StoppedError } from './errors.ts'
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

/** A peer we only heard of is dialled by the lower id first; the other side waits this long. */
const DISCOVERY_FALLBACK_MS = 3_000
const DISCOVERY_RETRY_MS = 5_000
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
  private state: ConnectionState
  private readonly bootstrapEntries: BootstrapEntry[]
  private bootstrapAddrs: Array<Extract<BootstrapEntry, { kind: 'addr' }>> = []
  private bootstrapRetryMs = BOOTSTRAP_RETRY_MIN_MS
  private nextBootstrapAt = 0
  private bootstrapping = false
  private readonly nextDialAt = new Map<string, number>()
  private readonly badInput = new Map<string, number>()
  private publishQueued = false

  constructor(
    libp2p: MeshLibp2p,
    key: import('@libp2p/interface').PrivateKey,
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
    this.bootstrapEntries = bootstrap
    this.state = bootstrap.length > 0 ? 'connecting' : 'online'
    this.emitter = new Emitter((err) => this.log.error('an event listener threw: %s', (err as Error).message))
    const maxMessageBytes = options.limits?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    const h = options.health ?? {}
    this.membership = new Membership({
      emitter: this.emitter,
      log: meshLogger('membership'),
      thresholds: {
        suspectAfterMs: h.suspectAfterMs ?? DEFAULT_SUSPECT_AFTER_MS,
        downAfterMs: h.downAfterMs ?? DEFAULT_DOWN_AFTER_MS,
        pausedGraceMs: PAUSED_GRACE_MS
      },
      linkOf: (peer) => this.linkOf(peer),
      dropRecord: (peer) => this.registry.remove(peer)
    })
    this.registry = new Registry({
      libp2p,
      key,
      log: meshLogger('registry'),
      maxMessageBytes,
      onRecord: (signed) => {
        this.membership.onRecord(signed.record, Date.now())
        this.maybeDial(signed.record)
      },
      onBadInput: (peer, err) => this.penalise(peer, err)
    })
    this.rpc = new Rpc({
      libp2p,
      log: meshLogger('rpc'),
      maxMessageBytes,
      dial: (peer, signal) => this.dial(peer, signal),
      onBadInput: (peer, err) => this.penalise(peer, err),
      onAlive: (peer) => this.membership.alive(peer, Date.now())
    })
  }

  async start(): Promise<void> {
    await this.libp2p.start()
    await this.registry.start()
    await this.rpc.start()
    this.libp2p.addEventListener('connection:open', this.onConnectionChange)
    this.libp2p.addEventListener('connection:close', this.onConnectionChange)
    this.libp2p.addEventListener('self:peer:update', this.onSelfUpdate)
    this.unwatchLifecycle = platform.watchLifecycle({
      leaving: () => void this.publish('leaving'),
      hidden: (hidden) => void this.publish(hidden ? 'paused' : 'up')
    })
    await this.publish('up')
    const h = this.options.health ?? {}
    const every = (ms: number, fn: () => void): void => {
      this.timers.push(setInterval(fn, ms))
    }
    every(h.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS, () => void this.registry.heartbeat())
    every(h.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS, () => this.pingAll())
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
    return { name: this.name, role: this.role, caps, addrs: this.addresses().slice(0, 32), startedAt: this.startedAt, state }
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
    if (peerId === undefined || peerId === this.peerId) return { ...this.ownRecordFields(this.recordState).caps }
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
    const ranked = rank([self, ...this.peers()], needs).map((p) => (p.id === this.peerId ? this.selfInfo() : p))
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
    return bestLink(this.connectionsTo(peer))
  }

  private connectionsTo(peer: string): Connection[] {
    try {
      return this.libp2p.getConnections(peerIdFromString(peer))
    } catch {
      return []
    }
  }

  private pingAll(): void {
    const timeout = this.options.health?.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS
    for (const peer of this.membership.ids()) {
      if (bestConnection(this.connectionsTo(peer), { allowLimited: false }) === undefined) continue
      this.rpc
        .ping(peer, AbortSignal.timeout(timeout))
        .then((ms) => this.membership.rtt(peer, ms, Date.now()))
        .catch((err: unknown) => this.log('ping %s failed: %s', peer, (err as Error).message))
    }
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

  connectionState(): ConnectionState {
    return this.state
  }

  private setState(s: ConnectionState): void {
    if (s === this.state) return
    this.state = s
    this.emitter.emit('connection', { state: s })
  }

  private readonly onConnectionChange = (): void => {
    if (this.stopped) return
    if (this.libp2p.getConnections().length > 0) this.setState('online')
    else if (this.bootstrapEntries.length > 0) this.setState('offline')
  }

  private maintain(): void {
    if (this.stopped) return
    const now = Date.now()
    this.membership.sweep(now)
    if (now >= this.nextBootstrapAt && !this.bootstrapping) void this.maintainBootstrap()
    for (const peer of this.membership.ids()) {
      const r = this.registry.get(peer)
      if (r !== undefined) this.maybeDial(r)
    }
  }

  private async resolveBootstrap(signal: AbortSignal): Promise<void> {
    const addrs: Array<Extract<BootstrapEntry, { kind: 'addr' }>> = []
    for (const e of this.bootstrapEntries) {
      if (e.kind === 'addr') {
        addrs.push(e)
        continue
      }
      try {
        const doc = await platform.fetchJson(e.url, signal)
        const { entries, problems } = parseBootstrapDocument(e.url, doc)
        for (const p of problems) this.log.error('bootstrap: %s', p)
        for (const x of entries) if (x.kind === 'addr') addrs.push(x)
      } catch (err) {
        this.log.error('bootstrap: fetching %s failed: %s', e.url, (err as Error).message)
      }
    }
    this.bootstrapAddrs = addrs
  }

  /** Keep one connection to a bootstrap relay, redialling with backoff. */
  private async maintainBootstrap(): Promise<void> {
    if (this.bootstrapEntries.length === 0) return
    this.bootstrapping = true
    try {
      const connected = this.bootstrapAddrs.some((b) => this.connectionsTo(b.peer).length > 0)
      if (connected) {
        this.bootstrapRetryMs = BOOTSTRAP_RETRY_MIN_MS
        return
      }
      const signal = AbortSignal.timeout(DEFAULT_DIAL_TIMEOUT_MS)
      if (this.bootstrapAddrs.length === 0 || this.bootstrapEntries.some((e) => e.kind === 'url')) {
        await this.resolveBootstrap(signal)
      }
      const results = await Promise.allSettled(this.bootstrapAddrs.map((b) => this.libp2p.dial(b.addr, { signal })))
      if (results.some((r) => r.status === 'fulfilled')) {
        this.bootstrapRetryMs = BOOTSTRAP_RETRY_MIN_MS
        this.setState('online')
      } else {
        for (const r of results) if (r.status === 'rejected') this.log('bootstrap dial failed: %s', (r.reason as Error).message)
        if (this.libp2p.getConnections().length === 0) this.setState('offline')
        this.bootstrapRetryMs = Math.min(this.bootstrapRetryMs * 2, BOOTSTRAP_RETRY_MAX_MS)
      }
    } finally {
      this.nextBootstrapAt = Date.now() + this.bootstrapRetryMs
      this.bootstrapping = false
    }
  }

  /** Addresses worth dialling directly: not a bare relayed circuit. */
  private dialable(r: PeerRecord): string[] {
    return r.addrs.filter((a) => !a.includes('/p2p-circuit') || a.includes('/webrtc'))
  }

  /** Upgrade to a direct link with a peer we heard of (WebRTC via the relay, or TCP). */
  private maybeDial(r: PeerRecord): void {
    if (this.stopped || r.role === 'relay' || r.state === 'leaving') return
    if (bestConnection(this.connectionsTo(r.peer), { allowLimited: false }) !== undefined) return
    const now = Date.now()
    if ((this.nextDialAt.get(r.peer) ?? 0) > now) return
    const e = this.membership.get(r.peer)
    const waited = e === undefined ? 0 : now - e.firstSeen
    if (this.peerId > r.peer && waited < DISCOVERY_FALLBACK_MS) return
    if (this.dialable(r).length === 0) return
    this.nextDialAt.set(r.peer, now + DISCOVERY_RETRY_MS)
    this.dial(r.peer, AbortSignal.timeout(DEFAULT_DIAL_TIMEOUT_MS)).catch((err: unknown) => {
      this.log('dial %s failed: %s', r.name, (err as Error).message)
    })
  }

  private async dial(peer: string, signal: AbortSignal): Promise<void> {
    const r = this.registry.get(peer)
    const addrs = r === undefined ? [] : this.dialable(r)
    if (addrs.length === 0) throw new PeerLostError(`no dialable address for ${peer}`)
    await this.libp2p.dial(
      addrs.map((a) => multiaddr(a)),
      { signal }
    )
  }

  // ---- tasks -------------------------------------------------------------------------

  define(name: string, handler: TaskHandler, _o: { needs?: Needs } = {}): void {
    if (name.length === 0 || name.length > 256) throw new InvalidOptionsError('a task name is 1 to 256 characters')
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
        if (best === undefined) throw new NoCapablePeerError(`no peer offers task "${name}" with ${JSON.stringify(needs)}`)
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
    this.libp2p.removeEventListener('connection:open', this.onConnectionChange)
    this.libp2p.removeEventListener('connection:close', this.onConnectionChange)
    this.libp2p.removeEventListener('self:peer:update', this.onSelfUpdate)
    if (this.libp2p.status === 'started') {
      // Announce the leave so every peer sees it at once rather than after a timeout.
      await this.publish('leaving').catch(() => {})
    }
    await this.rpc.stop()
    this.registry.stop()
    await this.libp2p.stop()
    this.membership.clear()
    this.setState('stopped')
    this.emitter.clear()
    this.release()
  }
}
