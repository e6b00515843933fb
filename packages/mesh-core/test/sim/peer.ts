import type { DirectoryEntry } from '../../src/actors/directory.ts'
import type { ActorBehaviour } from '../../src/actors/types.ts'
import { needsProblem } from '../../src/capabilities/validate.ts'
import { InvalidOptionsError } from '../../src/errors.ts'
import { meshLogger } from '../../src/log.ts'
import { rank } from '../../src/placement/rank.ts'
import { Rpc } from '../../src/rpc/rpc.ts'
import type { MakeChannel, RpcTransport } from '../../src/rpc/transport.ts'
import type {
  Capabilities,
  LinkQuality,
  MeshEventName,
  MeshEvents,
  Needs,
  PeerInfo,
  TaskHandler
} from '../../src/types.ts'
import type { WorkEnv } from '../../src/work/env.ts'
import { Work } from '../../src/work/work.ts'

/** What a simulated peer publishes (the parts of a `PeerRecord` the work layer reads). */
export interface SimRecord {
  seq: number
  caps: Capabilities
  dir: DirectoryEntry
}

/** What the peer needs from the network it lives in. */
export interface SimHost {
  now(): number
  alive(peer: string): boolean
  rtt(a: string, b: string): number
  transport(self: string): RpcTransport
  publish(from: string, record: SimRecord): void
  sleep(ms: number, owner: string): Promise<void>
}

export interface EmittedEvent {
  event: MeshEventName
  detail: unknown
  at: number
}

const EMPTY_DIR: DirectoryEntry = { names: {}, children: [] }

function info(id: string, capabilities: Capabilities, rtt: number): PeerInfo {
  return {
    id,
    name: id,
    role: 'device',
    capabilities,
    status: 'healthy',
    link: 'tcp',
    rttMs: rtt,
    rttAvgMs: rtt,
    rttHistory: [],
    quality: 'excellent',
    addresses: [],
    startedAt: 0,
    lastSeen: 0
  }
}

/**
 * One simulated peer: a real `Rpc` over the simulated transport, a real `Work`, and a
 * view of the mesh (who it believes is alive, and the last record it heard from each),
 * wired the way `MeshNode` and `WorkFeed` wire them.
 */
export class SimPeer {
  readonly rpc: Rpc
  readonly work: Work
  readonly events: EmittedEvent[] = []
  readonly penalties: Array<{ peer: string; err: Error }> = []
  /** Peers this one believes are alive, with the last record it heard from each. */
  readonly view = new Map<string, SimRecord>()
  accept: ((peer: string, make: MakeChannel) => void) | undefined
  private readonly lastSeq = new Map<string, number>()
  private seq = 0
  private publishQueued = false
  private dirQueued = false

  constructor(
    private readonly host: SimHost,
    readonly id: string,
    readonly caps: Capabilities
  ) {
    this.rpc = new Rpc({
      transport: host.transport(id),
      log: meshLogger(`sim:${id}:rpc`),
      onBadInput: (peer, err) => this.penalise(peer, err),
      onBye: () => {},
      onAlive: () => {},
      onCast: (peer, kind, body) => this.work.runtime.onCast(peer, kind, body),
      onDisconnect: (peer) => this.work.runtime.disconnected(peer)
    })
    const env: WorkEnv = {
      self: id,
      rpc: this.rpc,
      log: meshLogger(`sim:${id}:work`),
      rank: (needs) => this.rank(needs),
      quality: (peer): LinkQuality => (this.view.has(peer) ? 'excellent' : 'disconnected'),
      emit: <K extends MeshEventName>(event: K, detail: MeshEvents[K]) =>
        void this.events.push({ event, detail, at: host.now() }),
      republish: () => this.publishSoon(),
      directory: () => this.directory(),
      penalise: (peer, err) => this.penalise(peer, err),
      now: () => host.now()
    }
    this.work = new Work(env)
  }

  get alive(): boolean {
    return this.host.alive(this.id)
  }

  /** Our capabilities as published: static ones plus the tasks and actors we host. */
  capabilities(): Capabilities {
    const caps: Capabilities = { ...this.caps }
    const tasks = this.work.hostedTasks(this.caps)
    const actors = this.work.hostedActors()
    if (tasks.length > 0) caps.tasks = tasks
    if (actors.length > 0) caps.actors = actors
    return caps
  }

  /** Host a task here (and advertise it). */
  define(name: string, handler: TaskHandler): void {
    this.work.define(name, handler)
    this.publishSoon()
  }

  /** Host an actor behaviour here (and advertise it). */
  actor<S, M>(name: string, behaviour: ActorBehaviour<S, M>): void {
    this.work.actor(name, behaviour as unknown as ActorBehaviour<never, never>)
    this.publishSoon()
  }

  /** Virtual time passes for this peer only while it lives: a dead peer's sleep never ends. */
  sleep(ms: number): Promise<void> {
    return this.host.sleep(ms, this.id)
  }

  /** Events of one kind emitted here. */
  emitted<K extends MeshEventName>(event: K): Array<MeshEvents[K]> {
    return this.events.filter((e) => e.event === event).map((e) => e.detail as MeshEvents[K])
  }

  private rank(needs: Needs): string[] {
    const problem = needsProblem(needs)
    if (problem !== undefined) throw new InvalidOptionsError(problem)
    const others = [...this.view].map(([id, r]) => info(id, r.caps, this.host.rtt(this.id, id)))
    return rank([info(this.id, this.capabilities(), 0), ...others], needs).map((p) => p.id)
  }

  private *directory(): Iterable<[string, DirectoryEntry]> {
    for (const [id, r] of this.view) yield [id, r.dir]
  }

  private penalise(peer: string, err: Error): void {
    this.penalties.push({ peer, err })
  }

  /** Coalesced like `SelfRecord.republishSoon`: one record per tick. */
  publishSoon(): void {
    if (this.publishQueued) return
    this.publishQueued = true
    queueMicrotask(() => {
      this.publishQueued = false
      if (!this.alive) return
      const dir = this.work.directory()
      const record = { seq: ++this.seq, caps: this.capabilities(), dir }
      this.host.publish(this.id, record)
    })
  }

  /** A record from `from` arrived (gossip). */
  receive(from: string, record: SimRecord): void {
    if (!this.alive || record.seq <= (this.lastSeq.get(from) ?? 0)) return
    this.lastSeq.set(from, record.seq)
    const prev = this.view.get(from)
    this.view.set(from, record)
    if (prev === undefined || JSON.stringify(prev.caps) !== JSON.stringify(record.caps))
      this.work.membershipChanged()
    if (JSON.stringify(prev?.dir ?? EMPTY_DIR) !== JSON.stringify(record.dir)) this.directoryChangedSoon()
  }

  /** The failure detector says `peer` is down (or unreachable). */
  lost(peer: string, reason = 'noconnection'): void {
    if (!this.alive || !this.view.has(peer)) return
    const had = this.view.get(peer)?.dir ?? EMPTY_DIR
    this.view.delete(peer)
    // WorkFeed: a departed peer's directory entry goes (a tick later), then peerDown.
    if (had.children.length + Object.keys(had.names).length > 0) this.directoryChangedSoon()
    this.work.peerDown(peer, reason)
  }

  private directoryChangedSoon(): void {
    if (this.dirQueued) return
    this.dirQueued = true
    queueMicrotask(() => {
      this.dirQueued = false
      if (this.alive) this.work.directoryChanged()
    })
  }
}
