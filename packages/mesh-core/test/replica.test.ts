import { describe, expect, it } from 'vitest'
import { LwwRegister, Hlc, OrSet } from '../src/index.ts'
import { REPLICA_TOPIC_PREFIX } from '../src/replication/replica.ts'
import { encodeCbor } from '../src/wire/cbor.ts'
import { Fleet, startDevice, startRelay, until } from './helpers.ts'

describe('replicated application state', () => {
  it('converges an OR-Set and an LWW register across peers, late joiners included', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const a = fleet.add(await startDevice(relay, { name: 'a' }))
    const b = fleet.add(await startDevice(relay, { name: 'b' }))
    await until(() => a.peers().length === 2 && b.peers().length === 2)
    const ra = a.replicate(
      'playlist',
      new OrSet<string>({ node: a.peerId, isValue: (v): v is string => typeof v === 'string' })
    )
    const rb = b.replicate(
      'playlist',
      new OrSet<string>({ node: b.peerId, isValue: (v): v is string => typeof v === 'string' })
    )
    let bChanges = 0
    rb.onChange(() => bChanges++)
    await until(() => b.libp2p.services.pubsub.getSubscribers(REPLICA_TOPIC_PREFIX + 'playlist').length > 0)
    await until(() => a.libp2p.services.pubsub.getSubscribers(REPLICA_TOPIC_PREFIX + 'playlist').length > 0)
    await ra.change((s) => s.add('intro'))
    await ra.change((s) => s.add('verse'))
    await until(() => rb.crdt.has('intro') && rb.crdt.has('verse'), 10_000, 'b sees adds')
    expect(bChanges).toBeGreaterThan(0)
    await rb.change((s) => s.remove('intro'))
    await until(() => !ra.crdt.has('intro'), 10_000, 'a sees the remove')

    // A peer that joins later catches up by anti-entropy, not by replaying gossip.
    const c = fleet.add(await startDevice(relay, { name: 'c', health: { antiEntropyIntervalMs: 500 } }))
    const rc = c.replicate(
      'playlist',
      new OrSet<string>({ node: c.peerId, isValue: (v): v is string => typeof v === 'string' })
    )
    await until(() => rc.crdt.values().join() === 'verse', 15_000, 'late joiner converges')

    const ta = a.replicate(
      'tempo',
      new LwwRegister<number>({
        clock: new Hlc({ node: a.peerId }),
        isValue: (v): v is number => typeof v === 'number'
      })
    )
    const tb = b.replicate(
      'tempo',
      new LwwRegister<number>({
        clock: new Hlc({ node: b.peerId }),
        isValue: (v): v is number => typeof v === 'number'
      })
    )
    await until(() => a.libp2p.services.pubsub.getSubscribers(REPLICA_TOPIC_PREFIX + 'tempo').length > 0)
    await ta.change((r) => r.set(120))
    await until(() => tb.crdt.value === 120, 10_000, 'tempo replicated')
  })

  it('rejects garbage on a replica topic and keeps its state', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const a = fleet.add(await startDevice(relay, { name: 'a' }))
    const b = fleet.add(await startDevice(relay, { name: 'b' }))
    await until(() => a.peers().length === 2 && b.peers().length === 2)
    const rb = b.replicate(
      's',
      new OrSet<string>({ node: b.peerId, isValue: (v): v is string => typeof v === 'string' })
    )
    await rb.change((s) => s.add('kept'))
    await until(() => a.libp2p.services.pubsub.getSubscribers(REPLICA_TOPIC_PREFIX + 's').length > 0)
    const topic = REPLICA_TOPIC_PREFIX + 's'
    await a.libp2p.services.pubsub.publish(topic, encodeCbor({ t: 'delta', d: { live: 'nope' } }))
    await a.libp2p.services.pubsub.publish(topic, new Uint8Array([0xff]))
    await until(() => (b.stats().badInputByPeer[a.peerId] ?? 0) >= 2, 10_000, 'rejections counted')
    expect(rb.crdt.values()).toEqual(['kept'])
    expect(() => b.replicate('bad name!', new OrSet({ node: b.peerId }))).toThrow(/replica name/)
  })
})
