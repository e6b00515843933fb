import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Connection, PeerId, PrivateKey, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { MAX_RECORDS_PER_SYNC, RECORDS_TOPIC, REGISTRY_PROTOCOL } from '../constants.ts'
import { BadMessageError } from '../errors.ts'
import type { Logger } from '../log.ts'
import { FramedChannel } from '../wire/channel.ts'
import { openRecord, signRecord } from './record.ts'
import type { PeerRecord, SignedRecord } from './record.ts'

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

const SYNC_TIMEOUT_MS = 10_000

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
  private readonly selfId: string

  constructor(init: RegistryInit) {
    this.init = init
    this.selfId = init.libp2p.peerId.toString()
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

  /** Drop a peer's record, and refuse records of it up to `seq`. */
  remove(peer: string): void {
    const known = this.records.get(peer)
    this.records.delete(peer)
    this.tombstones.set(peer, Math.max(known?.record.seq ?? 0, this.tombstones.get(peer) ?? 0))
  }

  forgetTombstone(peer: string): void {
    this.tombstones.delete(peer)
  }

  /** Sign a new version of our own record and publish it. */
  async publishSelf(fields: Omit<PeerRecord, 'peer' | 'seq'>): Promise<void> {
    const seq = Math.max(Date.now(), (this.self?.record.seq ?? 0) + 1)
    this.self = await signRecord({ ...fields, peer: this.selfId, seq }, this.init.key)
    await this.gossip(this.self.envelope)
  }

  /** Re-publish the current record unchanged in content (a heartbeat with a new seq). */
  async heartbeat(): Promise<void> {
    const r = this.self?.record
    if (r === undefined) return
    const { peer: _p, seq: _s, ...fields } = r
    await this.publishSelf(fields)
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
      this.init.log('rejected gossip from %s: %s', from.toString(), (err as Error).message)
      this.init.onBadInput(from.toString(), err as Error)
      return TopicValidatorResult.Reject
    }
  }

  private envelopes(): Uint8Array[] {
    const out: Uint8Array[] = []
    if (this.self !== undefined) out.push(this.self.envelope)
    for (const s of this.records.values()) {
      if (out.length >= MAX_RECORDS_PER_SYNC) break
      out.push(s.envelope)
    }
    return out
  }

  private async mergeFrame(value: unknown, via: string): Promise<void> {
    const frame = value as { t?: unknown; recs?: unknown } | null
    if (typeof frame !== 'object' || frame === null || frame.t !== 'records' || !Array.isArray(frame.recs)) {
      throw new BadMessageError('registry frame must be { t: "records", recs: [...] }')
    }
    if (frame.recs.length > MAX_RECORDS_PER_SYNC) throw new BadMessageError('too many records in one frame')
    for (const env of frame.recs) {
      if (!(env instanceof Uint8Array)) throw new BadMessageError('a record must be bytes')
      this.accept(await openRecord(env), via)
    }
  }

  /** Exchange full record sets with a newly identified peer. */
  private readonly onIdentify = (
    evt: CustomEvent<{ peerId: PeerId; protocols: string[]; connection: Connection }>
  ): void => {
    const { peerId, protocols, connection } = evt.detail
    if (!protocols.includes(REGISTRY_PROTOCOL) || connection.status !== 'open') return
    this.syncWith(connection).catch((err: unknown) => {
      this.init.log('sync with %s failed: %s', peerId.toString(), (err as Error).message)
    })
  }

  async syncWith(connection: Connection): Promise<void> {
    const stream = await connection.newStream(REGISTRY_PROTOCOL, {
      runOnLimitedConnection: true,
      signal: AbortSignal.timeout(SYNC_TIMEOUT_MS)
    })
    await this.exchange(stream, connection.remotePeer.toString(), true)
  }

  private readonly onSyncStream = async (stream: Stream, connection: Connection): Promise<void> => {
    await this.exchange(stream, connection.remotePeer.toString(), false)
  }

  /** Send ours, read theirs; the opener speaks first. One frame each way. */
  private exchange(stream: Stream, peer: string, opener: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => channel.abort(new Error('registry sync timed out')), SYNC_TIMEOUT_MS)
      const done = (): void => {
        clearTimeout(timer)
        resolve()
      }
      const channel: FramedChannel = new FramedChannel(stream, {
        maxFrameBytes: this.init.maxMessageBytes,
        onFrame: (value) => {
          if (!opener) channel.send({ t: 'records', recs: this.envelopes() })
          this.mergeFrame(value, peer)
            .catch((err: unknown) => {
              this.init.log('bad sync frame from %s: %s', peer, (err as Error).message)
              this.init.onBadInput(peer, err as Error)
            })
            .finally(() => {
              void channel.close().finally(done)
            })
        },
        onBadFrame: (err) => this.init.onBadInput(peer, err),
        onClose: done
      })
      if (opener) channel.send({ t: 'records', recs: this.envelopes() })
    })
  }
}
