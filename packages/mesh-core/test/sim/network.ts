import { PeerLostError } from '../../src/errors.ts'
import type { Channel, ChannelEvents, RpcTransport } from '../../src/rpc/transport.ts'
import type { Capabilities } from '../../src/types.ts'
import { decodeCbor, encodeCbor } from '../../src/wire/cbor.ts'
import { SimPeer } from './peer.ts'
import type { SimHost, SimRecord } from './peer.ts'
import { Rng } from './random.ts'
import { Scheduler } from './scheduler.ts'

export interface SimOptions {
  seed: number
  /** Peer ids (no '/'), or how many to make (`p0`, `p1`, ...). */
  peers: number | string[]
  /** Static capabilities per peer id. */
  caps?: Record<string, Capabilities>
  /** One-way latency of a frame or a record, ms. @default [1, 20] */
  latency?: [number, number]
  /** How long a peer takes to notice that another one died or is cut off, ms. @default [30, 300] */
  detect?: [number, number]
  /**
   * How long the surviving end of a broken link takes to see its stream close, ms; until
   * then what is written to it is lost. @default the latency
   */
  reset?: [number, number]
  /** Keep a trace of every delivered frame (its type), record and detection, to compare runs. */
  trace?: boolean
}

/** Both ends of one simulated stream. */
interface Pipe {
  a: End
  b: End
  /** Killed or cut: frames in flight are lost, and no more go through. */
  broken: boolean
}

function kind(frame: unknown): string {
  const f = frame as { t?: unknown; k?: unknown; name?: unknown }
  return [f.t, f.k, f.name].filter((x) => typeof x === 'string').join('/')
}

/** One end of a simulated RPC stream: frames arrive in order, each after a random latency. */
class End implements Channel {
  open = true
  other!: End
  pipe!: Pipe
  /** When the last frame (or close) sent from this end arrives. */
  private lastAt = 0

  constructor(
    private readonly net: SimNet,
    readonly owner: string,
    readonly events: ChannelEvents
  ) {}

  get isOpen(): boolean {
    return this.open && this.net.alive(this.owner)
  }

  /** FIFO: never before what was sent earlier on this end. */
  private arrival(): number {
    this.lastAt = Math.max(this.lastAt, this.net.sched.now + this.net.latency())
    return this.lastAt
  }

  send(value: unknown): void {
    const bytes = encodeCbor(value)
    if (!this.isOpen) return
    const to = this.other
    const pipe = this.pipe
    this.net.sched.at(
      this.arrival(),
      () => {
        if (pipe.broken || !to.open) return
        let frame: unknown
        try {
          frame = decodeCbor(bytes)
        } catch (err) {
          to.events.onBadFrame(err as Error)
          to.closed(err as Error)
          return
        }
        this.net.trace?.push(`${this.net.sched.now} ${this.owner}>${to.owner} ${kind(frame)}`)
        to.events.onFrame(frame)
      },
      to.owner
    )
  }

  sendNow(value: unknown): void {
    this.send(value)
  }

  close(): Promise<void> {
    if (!this.open) return Promise.resolve()
    this.open = false
    this.events.onClose()
    const to = this.other
    const pipe = this.pipe
    this.net.sched.at(this.arrival(), () => !pipe.broken && to.closed(), to.owner)
    return Promise.resolve()
  }

  /** The other side hung up or the link broke. */
  closed(err?: Error): void {
    if (!this.open) return
    this.open = false
    this.events.onClose(err)
  }
}

/**
 * A seeded, simulated network of `SimPeer`s: RPC channels with random latency (FIFO per
 * channel, frames through CBOR), records gossiped with latency, a failure detector with
 * random per-observer delays, and faults: kill, partition, heal. Everything runs on the
 * virtual-time `Scheduler`, so a run depends only on the seed.
 */
export class SimNet {
  readonly sched: Scheduler
  readonly rng: Rng
  readonly peers = new Map<string, SimPeer>()
  readonly trace: string[] | undefined
  private readonly dead = new Set<string>()
  private readonly cut = new Set<string>()
  private readonly pipes = new Set<Pipe>()
  private readonly rtts = new Map<string, number>()
  private readonly recordAt = new Map<string, number>()
  private readonly lat: [number, number]
  private readonly det: [number, number]
  private readonly rst: [number, number]

  constructor(readonly options: SimOptions) {
    this.rng = new Rng(options.seed)
    this.sched = new Scheduler((p) => this.alive(p))
    this.lat = options.latency ?? [1, 20]
    this.det = options.detect ?? [30, 300]
    this.rst = options.reset ?? this.lat
    this.trace = options.trace === true ? [] : undefined
    const ids =
      typeof options.peers === 'number'
        ? Array.from({ length: options.peers }, (_, i) => `p${i}`)
        : options.peers
    const host: SimHost = {
      now: () => this.sched.now,
      alive: (p) => this.alive(p),
      rtt: (a, b) => this.rtt(a, b),
      transport: (self) => this.transport(self),
      publish: (from, r) => this.publish(from, r),
      sleep: (ms, owner) => this.sched.sleep(ms, owner)
    }
    for (const id of ids) this.peers.set(id, new SimPeer(host, id, options.caps?.[id] ?? {}))
  }

  /** Start every peer's RPC and let their first records spread. */
  async start(): Promise<void> {
    for (const p of this.peers.values()) {
      await p.rpc.start()
      p.publishSoon()
    }
    await this.settle()
  }

  peer(id: string): SimPeer {
    const p = this.peers.get(id)
    if (p === undefined) throw new Error(`no simulated peer ${id}`)
    return p
  }

  ids(): string[] {
    return [...this.peers.keys()]
  }

  live(): SimPeer[] {
    return [...this.peers.values()].filter((p) => this.alive(p.id))
  }

  alive(peer: string): boolean {
    return this.peers.has(peer) && !this.dead.has(peer)
  }

  reachable(a: string, b: string): boolean {
    return this.alive(a) && this.alive(b) && !this.cut.has(`${a}|${b}`)
  }

  latency(): number {
    return this.rng.int(this.lat[0], this.lat[1])
  }

  /** A stable RTT per pair, for placement's tie-breaks. */
  rtt(a: string, b: string): number {
    const key = a < b ? `${a}|${b}` : `${b}|${a}`
    let r = this.rtts.get(key)
    if (r === undefined) {
      r = this.rng.int(2, 40)
      this.rtts.set(key, r)
    }
    return r
  }

  /** Run until nothing more happens. */
  settle(maxEvents = 20_000): Promise<void> {
    return this.sched.run(maxEvents)
  }

  runUntil(cond: () => boolean, what: string, maxEvents = 20_000): Promise<void> {
    return this.sched.runUntil(cond, what, maxEvents)
  }

  /** Live peers that run `pid` now. */
  hostsOf(pid: string): string[] {
    return this.live()
      .filter((p) => p.work.runtime.has(pid))
      .map((p) => p.id)
  }

  /** Run the simulation until `p` settles; its value, or what it threw. */
  async await<T>(p: PromiseLike<T>, what: string, maxEvents = 20_000): Promise<T> {
    let out: { ok: true; v: T } | { ok: false; e: unknown } | undefined
    p.then(
      (v) => (out = { ok: true, v }),
      (e: unknown) => (out = { ok: false, e })
    )
    await this.runUntil(() => out !== undefined, what, maxEvents)
    const r = out as unknown as { ok: true; v: T } | { ok: false; e: unknown }
    if (r.ok) return r.v
    throw r.e
  }

  // ---- faults ------------------------------------------------------------------

  /** The peer dies at once (kill -9): its links break, the others notice after a while. */
  kill(id: string): void {
    if (!this.alive(id)) return
    this.dead.add(id)
    for (const pipe of [...this.pipes]) if (pipe.a.owner === id || pipe.b.owner === id) this.break(pipe)
    for (const q of this.live()) this.detectLater(q, id)
  }

  /** Cut every link between the groups; each side sees the other go down. */
  partition(groupA: readonly string[], groupB: readonly string[]): void {
    for (const a of groupA)
      for (const b of groupB) {
        this.cut.add(`${a}|${b}`)
        this.cut.add(`${b}|${a}`)
      }
    for (const pipe of [...this.pipes]) if (!this.reachable(pipe.a.owner, pipe.b.owner)) this.break(pipe)
    for (const a of groupA)
      for (const b of groupB) {
        if (this.alive(a)) this.detectLater(this.peer(a), b)
        if (this.alive(b)) this.detectLater(this.peer(b), a)
      }
  }

  /** Mend every cut: records flow again, so views and directories merge. */
  heal(): void {
    this.cut.clear()
    for (const p of this.live()) p.publishSoon()
  }

  private detectLater(observer: SimPeer, peer: string): void {
    const delay = this.rng.int(this.det[0], this.det[1])
    this.sched.after(
      delay,
      () => {
        if (this.reachable(observer.id, peer)) return
        this.trace?.push(`${this.sched.now} ${observer.id} lost ${peer}`)
        observer.lost(peer)
      },
      observer.id
    )
  }

  private break(pipe: Pipe): void {
    pipe.broken = true
    this.pipes.delete(pipe)
    for (const end of [pipe.a, pipe.b]) {
      if (!this.alive(end.owner) || !end.open) continue
      this.sched.after(
        this.rng.int(this.rst[0], this.rst[1]),
        () => end.closed(new PeerLostError('connection reset')),
        end.owner
      )
    }
  }

  // ---- transport and gossip ----------------------------------------------------

  private transport(self: string): RpcTransport {
    return {
      listen: (accept) => {
        this.peer(self).accept = accept
        return Promise.resolve()
      },
      open: (peer) =>
        new Promise((resolve, reject) => {
          this.sched.after(
            this.latency(),
            () => {
              const remote = this.peers.get(peer)
              if (!this.reachable(self, peer) || remote?.accept === undefined)
                return reject(new PeerLostError(`${self} cannot reach ${peer}`))
              const accept = remote.accept
              resolve((events) => this.connect(self, peer, events, accept))
            },
            self
          )
        })
    }
  }

  private connect(
    from: string,
    to: string,
    events: ChannelEvents,
    accept: NonNullable<SimPeer['accept']>
  ): Channel {
    const local = new End(this, from, events)
    let remote: End | undefined
    accept(from, (revents) => (remote = new End(this, to, revents)))
    if (remote === undefined) throw new Error('the remote peer did not make its end')
    const pipe: Pipe = { a: local, b: remote, broken: false }
    local.other = remote
    remote.other = local
    local.pipe = remote.pipe = pipe
    if (this.reachable(from, to)) this.pipes.add(pipe)
    else this.break(pipe)
    return local
  }

  private publish(from: string, record: SimRecord): void {
    const bytes = encodeCbor(record)
    for (const [id, p] of this.peers) {
      if (id === from || !this.reachable(from, id)) continue
      const key = `${from}>${id}`
      const at = Math.max(this.recordAt.get(key) ?? 0, this.sched.now + this.latency())
      this.recordAt.set(key, at)
      this.sched.at(
        at,
        () => {
          if (!this.reachable(from, id)) return
          const r = decodeCbor(bytes) as SimRecord
          this.trace?.push(
            `${this.sched.now} ${from}>${id} record ${r.seq} ${JSON.stringify(r.dir.children)}`
          )
          p.receive(from, r)
        },
        id
      )
    }
  }
}
