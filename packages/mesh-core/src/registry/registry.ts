import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Connection, PeerId, PrivateKey, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { MAX_RECORDS_PER_SYNC, RECORDS_TOPIC, REGISTRY_PROTOCOL } from '../constants.ts'
import { ClockDriftError } from '../crdt/errors.ts'
import { Hlc } from '../crdt/hlc.ts'
import { BadMessageError } from '../errors.ts'
import type { Logger } from '../log.ts'
import { openRecord, signRecord } from './record.ts'
import type { PeerRecord, SignedRecord } from './record.ts'
import { SYNC_TIMEOUT_MS, runSync } from './sync.ts'
import type { SyncStore } from './sync.ts'

export interface RegistryInit {
  libp2p: Libp2p<{ pubsub: GossipSub }>
  key: PrivateKey
  log: Logger
  maxMessageBytes: number
  /** A newer record of another peer was accepted. `via` is the peer that delivered it. */
  onRecord(signed: SignedRecord, via: string): void
  /** A peer sent something that failed validation. */
  onBadInput(peer: string, err: Error): void
}

/** Record versions pack an HLC timestamp as `wall * HLC_PACK + logical`. */
export const HLC_PACK = 1_000

/**
 * One signed record per peer, newest `seq` wins. Records travel as gossipsub messages
 * (signed twice: by gossipsub's StrictSign and by the record's own envelope, so they can
 * also be forwarded in bulk) and as a full exchange on every new connection.
 */
export class Registry {
  private readonly init: RegistryInit
  private readonly records = new Map<string, SignedRecord>()
  /** Peers that left: records older than this seq are stale and must not resurrect them. */
  private readonly tombstones = new Map<string, number>()
  private self: SignedRecord | undefined
  private readonly hlc: Hlc
  private leaving: SignedRecord | undefined
  private departed = false
  private readonly selfId: string

  constructor(init: RegistryInit) {
    this.init = init
    this.selfId = init.libp2p.peerId.toString()
    this.hlc = new Hlc({ node: this.selfId })
  }

  async start(): Promise<void> {
    const { libp2p } = this.init
    const pubsub = libp2p.services.pubsub
    pubsub.topicValidators.set(RECORDS_TOPIC, this.validateGossip)
    pubsub.subscribe(RECORDS_TOPIC)
    await libp2p.handle(REGISTRY_PROTOCOL, this.onSyncStream, {
      runOnLimitedConnection: true,
      maxInboundStreams: 8
    })
    libp2p.addEventListener('peer:identify', this.onIdentify)
  }

  stop(): void {
    const { libp2p } = this.init
    libp2p.removeEventListener('peer:identify', this.onIdentify)
    libp2p.services.pubsub.topicValidators.delete(RECORDS_TOPIC)
  }

  get(peer: string): PeerRecord | undefined {
    return this.records.get(peer)?.record
  }

  all(): PeerRecord[] {
    return [...this.records.values()].map((s) => s.record)
  }

  get selfRecord(): PeerRecord | undefined {
    return this.self?.record
  }

  /** Drop a peer's record, and refuse its records up to the one we held (or `seq`). */
  remove(peer: string, seq = 0): void {
    const known = this.records.get(peer)
    this.records.delete(peer)
    this.tombstones.set(peer, Math.max(known?.record.seq ?? 0, seq, this.tombstones.get(peer) ?? 0))
  }

  /** The version we hold of a peer's record, or of its tombstone. */
  versionOf(peer: string): number | undefined {
    return this.records.get(peer)?.record.seq ?? this.tombstones.get(peer)
  }

  /** Anti-entropy with one random peer we are connected to. */
  antiEntropy(): void {
    const conns = this.init.libp2p
      .getConnections()
      .filter((c) => c.status === 'open' && this.records.has(c.remotePeer.toString()))
    const c = conns[Math.floor(Math.random() * conns.length)]
    if (c !== undefined) void this.syncWith(c)
  }

  /**
   * The record version: our hybrid logical clock packed into one safe integer, as
   * `wall * 1000 + logical` (wall in ms; good until the year 2255). Every record we
   * accept advances the clock, so versions we write follow everything we have seen.
   */
  private nextSeq(minSeq: number): number {
    const t = this.hlc.now()
    const last = Math.max(this.self?.record.seq ?? 0, this.leaving?.record.seq ?? 0)
    return Math.max(t.wall * HLC_PACK + Math.min(t.logical, HLC_PACK - 1), last + 1, minSeq + 1)
  }

  /**
   * Sign a new version of our own record, newer than `minSeq` too, and publish it. A
   * 'leaving' twin one seq later is signed alongside, so a page that is being closed
   * can say goodbye synchronously (signing is async; `pagehide` gives us no time).
   */
  async publishSelf(fields: Omit<PeerRecord, 'peer' | 'seq'>, minSeq = 0): Promise<void> {
    const seq = this.nextSeq(minSeq)
    const [self, leaving] = await Promise.all([
      signRecord({ ...fields, peer: this.selfId, seq }, this.init.key),
      fields.state === 'leaving'
        ? undefined
        : signRecord({ ...fields, peer: this.selfId, seq: seq + 1, state: 'leaving' }, this.init.key)
    ])
    this.self = self
    if (leaving !== undefined) this.leaving = leaving
    // A goodbye went out while this was being signed (a 'paused' from visibilitychange
    // racing pagehide): publishing it now would outrank the goodbye and void it.
    if (this.departed && fields.state !== 'leaving') return
    await this.gossip(self.envelope)
  }

  /**
   * We said goodbye: until `returned()`, no other record of ours goes out. Returns the
   * goodbye to send.
   */
  depart(): Uint8Array | undefined {
    this.departed = true
    return this.leaving?.envelope
  }

  /** Back after a goodbye (a page restored from the back/forward cache). */
  returned(): void {
    this.departed = false
  }

  /** Accept a goodbye delivered out of band: any holder may deliver a signed record. */
  async acceptGoodbye(envelope: Uint8Array): Promise<{ record: PeerRecord; accepted: boolean }> {
    const signed = await openRecord(envelope)
    if (signed.record.state !== 'leaving') throw new BadMessageError('not a leaving record')
    return { record: signed.record, accepted: this.accept(signed, signed.record.peer) }
  }

  /** Accept a record a peer handed us directly (its goodbye). */
  async acceptDirect(envelope: Uint8Array, from: string): Promise<PeerRecord> {
    const signed = await openRecord(envelope)
    if (signed.record.peer !== from) throw new BadMessageError('a peer may only hand over its own record')
    this.accept(signed, from)
    return signed.record
  }

  /** Re-publish the current record unchanged in content (a heartbeat with a new seq). */
  async heartbeat(minSeq = 0): Promise<void> {
    const r = this.self?.record
    if (r === undefined) return
    const { peer: _p, seq: _s, ...fields } = r
    await this.publishSelf(fields, minSeq)
  }

  private async gossip(envelope: Uint8Array): Promise<void> {
    try {
      await this.init.libp2p.services.pubsub.publish(RECORDS_TOPIC, envelope)
    } catch (err) {
      this.init.log('publish failed: %s', (err as Error).message)
    }
  }

  /** Accept a verified record when it is newer than what we hold. */
  private accept(signed: SignedRecord, via: string): boolean {
    const { peer, seq } = signed.record
    if (peer === this.selfId) return false
    // Throws ClockDriftError for a version stamped far in our future: refused, not kept.
    this.hlc.receive({ wall: Math.floor(seq / HLC_PACK), logical: seq % HLC_PACK, node: peer })
    const tomb = this.tombstones.get(peer)
    if (tomb !== undefined) {
      if (seq <= tomb) return false
      // A newer record after a leave: the peer came back.
      if (signed.record.state !== 'leaving') this.tombstones.delete(peer)
    }
    const known = this.records.get(peer)
    if (known !== undefined && known.record.seq >= seq) return false
    this.records.set(peer, signed)
    this.init.onRecord(signed, via)
    return true
  }

  private readonly validateGossip = async (
    from: PeerId,
    msg: { type: string; from?: PeerId; data: Uint8Array }
  ): Promise<TopicValidatorResult> => {
    try {
      const signed = await openRecord(msg.data)
      // The gossip signer must be the record's owner: nobody speaks for another peer.
      if (msg.type !== 'signed' || msg.from?.toString() !== signed.record.peer) {
        throw new BadMessageError('gossiped record not published by its owner')
      }
      this.accept(signed, from.toString())
      return TopicValidatorResult.Accept
    } catch (err) {
      // Gossipsub scores the peer that forwarded it; we log and count its publisher.
      const origin = msg.from?.toString() ?? from.toString()
      this.init.log('rejected gossip from %s via %s: %s', origin, from.toString(), (err as Error).message)
      this.init.onBadInput(origin, err as Error)
      return TopicValidatorResult.Reject
    }
  }

  /** Our side of anti-entropy: what we hold, by version. */
  private readonly store: SyncStore = {
    digest: () => {
      const d: Array<[string, number]> = []
      if (this.self !== undefined) d.push([this.selfId, this.self.record.seq])
      for (const [peer, s] of this.records) {
        if (d.length >= MAX_RECORDS_PER_SYNC) break
        d.push([peer, s.record.seq])
      }
      return d
    },
    compare: (remote) => {
      const recs: Uint8Array[] = []
      const mine = this.self === undefined ? [] : [this.self]
      for (const s of [...mine, ...this.records.values()]) {
        if (recs.length >= MAX_RECORDS_PER_SYNC) break
        if ((remote.get(s.record.peer) ?? -1) < s.record.seq) recs.push(s.envelope)
      }
      const want: string[] = []
      for (const [peer, seq] of remote) {
        if (peer === this.selfId || want.length >= MAX_RECORDS_PER_SYNC) continue
        if ((this.tombstones.get(peer) ?? -1) >= seq) continue
        if ((this.records.get(peer)?.record.seq ?? -1) < seq) want.push(peer)
      }
      return { recs, want }
    },
    envelopesOf: (peers) => {
      const out: Uint8Array[] = []
      for (const p of peers) {
        const s = p === this.selfId ? this.self : this.records.get(p)
        if (s !== undefined) out.push(s.envelope)
      }
      return out
    },
    merge: async (recs, via) => {
      for (const env of recs) {
        const signed = await openRecord(env)
        try {
          this.accept(signed, via)
        } catch (err) {
          // The forwarder is not to blame for the owner's clock: skip that record only.
          if (!(err instanceof ClockDriftError)) throw err
          this.init.log('skipped a record from %s: %s', signed.record.peer, err.message)
        }
      }
    }
  }

  /** Anti-entropy with a newly identified peer. */
  private readonly onIdentify = (
    evt: CustomEvent<{ peerId: PeerId; protocols: string[]; connection: Connection }>
  ): void => {
    const { protocols, connection } = evt.detail
    if (!protocols.includes(REGISTRY_PROTOCOL) || connection.status !== 'open') return
    void this.syncWith(connection)
  }

  /** Exchange digests, then the records each side lacks. Never throws. */
  async syncWith(connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    let stream: Stream
    try {
      stream = await connection.newStream(REGISTRY_PROTOCOL, {
        runOnLimitedConnection: true,
        signal: AbortSignal.timeout(SYNC_TIMEOUT_MS)
      })
    } catch (err) {
      this.init.log('sync with %s failed: %s', peer, (err as Error).message)
      return
    }
    await this.sync(stream, peer, true)
  }

  private readonly onSyncStream = async (stream: Stream, connection: Connection): Promise<void> => {
    await this.sync(stream, connection.remotePeer.toString(), false)
  }

  private sync(stream: Stream, peer: string, opener: boolean): Promise<void> {
    return runSync(stream, {
      peer,
      opener,
      store: this.store,
      maxFrameBytes: this.init.maxMessageBytes,
      onBadInput: (err) => {
        this.init.log('bad sync frame from %s: %s', peer, err.message)
        this.init.onBadInput(peer, err)
      }
    })
  }
}
