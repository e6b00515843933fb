import { MAX_RECORD_BYTES } from '../constants.ts'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipSub } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { DOWN_TOPIC } from '../constants.ts'
import { BadMessageError } from '../errors.ts'
import type { Logger } from '../log.ts'
import { decodeCbor, encodeCbor } from '../wire/cbor.ts'

/** "I was connected to `peer` and lost it; the last record I had was `seq`." */
export interface DownNotice {
  peer: string
  seq: number
  /** 'normal' when the peer said goodbye; otherwise it went silent. */
  reason?: 'normal'
  /** With a goodbye: the peer's own signed 'leaving' record, proof rather than hearsay. */
  rec?: Uint8Array
}

export interface DownNoticesInit {
  libp2p: Libp2p<{ pubsub: GossipSub }>
  log: Logger
  /** A notice from `from` (a gossip-authenticated peer) about another peer. */
  onNotice(notice: DownNotice, from: string): void
  onBadInput(peer: string, err: Error): void
}

export function parseDownNotice(v: unknown): DownNotice {
  const n = v as { peer?: unknown; seq?: unknown; reason?: unknown; rec?: unknown } | null
  if (typeof n !== 'object' || n === null || typeof n.peer !== 'string' || n.peer.length > 128) {
    throw new BadMessageError('a down notice is { peer, seq, reason?, rec? }')
  }
  if (typeof n.seq !== 'number' || !Number.isSafeInteger(n.seq) || n.seq < 0)
    throw new BadMessageError('bad seq')
  if (n.reason !== undefined && n.reason !== 'normal') throw new BadMessageError('bad reason')
  if (n.rec !== undefined && (!(n.rec instanceof Uint8Array) || n.rec.byteLength > MAX_RECORD_BYTES))
    throw new BadMessageError('bad goodbye record')
  const known = 2 + (n.reason === undefined ? 0 : 1) + (n.rec === undefined ? 0 : 1)
  if (Object.keys(n).length !== known) throw new BadMessageError('unknown field in a down notice')
  const notice: DownNotice = { peer: n.peer, seq: n.seq }
  if (n.reason === 'normal') notice.reason = 'normal'
  if (n.rec instanceof Uint8Array) notice.rec = n.rec
  return notice
}

/**
 * Failure detection spreads like SWIM's: a peer that watched another die directly tells
 * everyone over gossip, so peers that only heard of it by gossip drop it at once instead
 * of after `downAfterMs` of silence. The notice names the last `seq` seen: a live peer
 * refutes it by publishing a newer record, which every receiver accepts.
 */
export class DownNotices {
  private readonly init: DownNoticesInit

  constructor(init: DownNoticesInit) {
    this.init = init
  }

  start(): void {
    const pubsub = this.init.libp2p.services.pubsub
    pubsub.topicValidators.set(DOWN_TOPIC, this.validate)
    pubsub.subscribe(DOWN_TOPIC)
  }

  stop(): void {
    this.init.libp2p.services.pubsub.topicValidators.delete(DOWN_TOPIC)
  }

  async publish(notice: DownNotice): Promise<void> {
    try {
      await this.init.libp2p.services.pubsub.publish(DOWN_TOPIC, encodeCbor(notice))
    } catch (err) {
      this.init.log('publishing a down notice failed: %s', (err as Error).message)
    }
  }

  private readonly validate = (
    from: PeerId,
    msg: { type: string; from?: PeerId; data: Uint8Array }
  ): TopicValidatorResult => {
    try {
      if (msg.type !== 'signed' || msg.from === undefined) throw new BadMessageError('unsigned down notice')
      const notice = parseDownNotice(decodeCbor(msg.data))
      this.init.onNotice(notice, msg.from.toString())
      return TopicValidatorResult.Accept
    } catch (err) {
      const origin = msg.from?.toString() ?? from.toString()
      this.init.log('rejected down notice from %s: %s', origin, (err as Error).message)
      this.init.onBadInput(origin, err as Error)
      return TopicValidatorResult.Reject
    }
  }
}
