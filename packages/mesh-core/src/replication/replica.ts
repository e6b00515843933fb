import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipSub } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { BadMessageError } from '../errors.ts'
import type { Logger } from '../log.ts'
import { decodeCbor, encodeCbor } from '../wire/cbor.ts'

/** What a CRDT offers to be replicated: the shape `OrSet` and `LwwRegister` have. */
export interface Replicable {
  /** Apply a delta from a peer; validates it and throws on garbage. True when it changed. */
  applyDelta(delta: unknown): boolean
  /** A summary of what this replica holds. */
  digest(): unknown
  /** The delta the holder of `digest` lacks (empty or undefined when nothing). */
  missing(digest: unknown): unknown
}

/** A CRDT shared by every peer that replicates it under the same name. */
export interface Replica<C extends Replicable> {
  readonly name: string
  readonly crdt: C
  /** Mutate locally: `fn` changes the CRDT and returns its delta, which is sent to everyone. */
  change(fn: (crdt: C) => unknown): Promise<void>
  /** Called after any change, local or remote. */
  onChange(fn: () => void): () => void
  close(): void
}

/** Frames on the replica's gossip topic. */
type ReplicaFrame = { t: 'delta'; d: unknown } | { t: 'digest'; g: unknown }

export const REPLICA_TOPIC_PREFIX = 'mesh/state/1/'
export const MAX_REPLICA_NAME = 64
const NAME = /^[a-zA-Z0-9._-]{1,64}$/

function parseFrame(v: unknown): ReplicaFrame {
  const f = v as { t?: unknown; d?: unknown; g?: unknown } | null
  if (typeof f !== 'object' || f === null) throw new BadMessageError('a replica frame is a map')
  if (f.t === 'delta' && 'd' in f) return { t: 'delta', d: f.d }
  if (f.t === 'digest' && 'g' in f) return { t: 'digest', g: f.g }
  throw new BadMessageError('unknown replica frame')
}

/** An OR-Set delta with nothing in it, or no delta at all. */
function isEmpty(d: unknown): boolean {
  if (d === undefined || d === null) return true
  const x = d as { live?: unknown; removed?: unknown }
  return Array.isArray(x.live) && x.live.length === 0 && Array.isArray(x.removed) && x.removed.length === 0
}

export interface ReplicaInit {
  libp2p: Libp2p<{ pubsub: GossipSub }>
  log: Logger
  antiEntropyIntervalMs: number
  onBadInput(peer: string, err: Error): void
}

/**
 * The Raxol overlay pattern: deltas by gossip as they happen, plus anti-entropy: every
 * `antiEntropyIntervalMs`, and when a new peer subscribes, each replica publishes its
 * digest and any replica that holds something the digest lacks answers with that delta.
 * Converged replicas answer nothing.
 */
export function replicate<C extends Replicable>(name: string, crdt: C, init: ReplicaInit): Replica<C> {
  if (!NAME.test(name))
    throw new BadMessageError(`a replica name is 1 to ${MAX_REPLICA_NAME} of [a-zA-Z0-9._-]`)
  const topic = REPLICA_TOPIC_PREFIX + name
  const pubsub = init.libp2p.services.pubsub
  const listeners = new Set<() => void>()
  const changed = (): void => {
    for (const fn of [...listeners]) {
      try {
        fn()
      } catch (err) {
        init.log.error('a replica listener threw: %s', (err as Error).message)
      }
    }
  }
  const publish = async (frame: ReplicaFrame): Promise<void> => {
    try {
      await pubsub.publish(topic, encodeCbor(frame))
    } catch (err) {
      init.log('replica %s publish failed: %s', name, (err as Error).message)
    }
  }
  const validate = (
    from: PeerId,
    msg: { type: string; from?: PeerId; data: Uint8Array }
  ): TopicValidatorResult => {
    const origin = msg.from?.toString() ?? from.toString()
    try {
      const frame = parseFrame(decodeCbor(msg.data))
      if (frame.t === 'delta') {
        if (crdt.applyDelta(frame.d)) changed()
      } else {
        const answer = crdt.missing(frame.g)
        if (!isEmpty(answer)) void publish({ t: 'delta', d: answer })
      }
      return TopicValidatorResult.Accept
    } catch (err) {
      init.log('rejected replica %s frame from %s: %s', name, origin, (err as Error).message)
      init.onBadInput(origin, err as Error)
      return TopicValidatorResult.Reject
    }
  }
  const sendDigest = (): void => void publish({ t: 'digest', g: crdt.digest() })
  const onSubscription = (
    evt: CustomEvent<{ subscriptions: Array<{ topic: string; subscribe: boolean }> }>
  ): void => {
    if (evt.detail.subscriptions.some((s) => s.topic === topic && s.subscribe)) sendDigest()
  }
  pubsub.topicValidators.set(topic, validate)
  pubsub.subscribe(topic)
  pubsub.addEventListener('subscription-change', onSubscription)
  const timer = setInterval(sendDigest, init.antiEntropyIntervalMs)
  sendDigest()
  let closed = false
  return {
    name,
    crdt,
    async change(fn) {
      if (closed) throw new BadMessageError(`replica ${name} is closed`)
      const delta = fn(crdt)
      changed()
      if (!isEmpty(delta)) await publish({ t: 'delta', d: delta })
    },
    onChange(fn) {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
    close() {
      if (closed) return
      closed = true
      clearInterval(timer)
      pubsub.removeEventListener('subscription-change', onSubscription)
      pubsub.topicValidators.delete(topic)
      pubsub.unsubscribe(topic)
      listeners.clear()
    }
  }
}
