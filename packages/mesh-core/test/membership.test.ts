import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { DOWN_TOPIC, RECORDS_TOPIC } from '../src/constants.ts'
import { encodeCbor } from '../src/wire/cbor.ts'
import { startChildPeer } from './child-peer.ts'
import { Fleet, startDevice, startRelay, until, wsAddrs } from './helpers.ts'

describe('the registry across a sparse mesh', () => {
  it('spreads a capability change to every peer', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const peers = [0, 1, 2, 3].map(async (i) => fleet.add(await startDevice(relay, { name: `d${i}` })))
    const [a, ...others] = await Promise.all(peers)
    if (a === undefined) throw new Error('no peers')
    await until(() => others.every((o) => o.peers().length === 4), 10_000, 'everyone sees everyone')
    const seen = others.map(
      (o) =>
        new Promise<void>((resolve) =>
          o.on('capabilities:change', (c) => {
            if (c.id === a.peerId && c.capabilities.battery === 41) resolve()
          })
        )
    )
    await a.advertise({ battery: 41 })
    await Promise.all(seen)
    for (const o of others) expect(o.capabilities(a.peerId)).toMatchObject({ battery: 41 })
    await a.advertise({ battery: 40 }, { replace: true })
    await until(() => others.every((o) => o.capabilities(a.peerId).battery === 40))
  })

  it('keeps direct links bounded and still knows every peer by gossip', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const n = 6
    // The kad-dht keeps connections of its own (its routing table); the cap bounds the
    // links Mesh opens, which is what keeps browsers (no DHT) sparse.
    const ds = await Promise.all(
      Array.from({ length: n }, async (_, i) =>
        fleet.add(await startDevice(relay, { name: `s${i}`, dht: false, limits: { maxDirectPeers: 1 } }))
      )
    )
    await until(() => ds.every((d) => d.peers().length === n), 15_000, 'full registry view')
    // Observe past the 3 s fallback after which higher ids dial too.
    const end = Date.now() + 4_000
    await until(() => Date.now() > end, 10_000)
    const edges = new Set<string>()
    for (const d of ds) {
      for (const p of d.peers()) {
        if (p.role === 'device' && p.link === 'tcp') edges.add([d.peerId, p.id].sort().join())
      }
    }
    // Each peer opens at most one link of its own: at most n edges, not the n(n-1)/2 of a full mesh.
    expect(edges.size).toBeLessThanOrEqual(n)
    expect(edges.size).toBeLessThan((n * (n - 1)) / 2)
    for (const d of ds) expect(d.peers().filter((p) => p.status === 'healthy')).toHaveLength(n)
  })

  it('converges after a partition heals', async () => {
    await using fleet = new Fleet()
    const left = fleet.add(await startRelay({ name: 'left' }))
    const right = fleet.add(await startRelay({ name: 'right' }))
    const a = fleet.add(await startDevice(left, { name: 'a' }))
    const b = fleet.add(await startDevice(right, { name: 'b' }))
    await until(() => a.peers().length === 1 && b.peers().length === 1, 10_000, 'two separate meshes')
    await left.libp2p.dial(multiaddr(wsAddrs(right)[0] ?? ''))
    const all = [left, right, a, b]
    await until(() => all.every((m) => m.peers().length === 3), 15_000, 'one mesh again')
    for (const m of all) {
      expect(new Set(m.peers().map((p) => p.id))).toEqual(
        new Set(all.filter((x) => x !== m).map((x) => x.peerId))
      )
    }
  })

  it('elects the longest-running healthy peer and re-elects when it goes', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const a = fleet.add(await startDevice(relay, { name: 'a' }))
    const b = fleet.add(await startDevice(relay, { name: 'b' }))
    await until(() => a.peers().length === 2 && b.peers().some((p) => p.id === a.peerId && p.link === 'tcp'))
    expect([a.coordinator(), b.coordinator(), relay.coordinator()]).toEqual([
      relay.peerId,
      relay.peerId,
      relay.peerId
    ])
    await relay.stop()
    await until(
      () => a.coordinator() === a.peerId && b.coordinator() === a.peerId,
      10_000,
      'a new coordinator'
    )
  })

  it('rejects malformed gossip, logs it and lowers the publisher’s gossipsub score', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const a = fleet.add(await startDevice(relay, { name: 'a' }))
    const b = fleet.add(await startDevice(relay, { name: 'b' }))
    await until(() => b.peers().some((p) => p.id === a.peerId && p.link === 'tcp'), 10_000, 'a direct link')
    await until(() =>
      b.libp2p.services.pubsub.getSubscribers(RECORDS_TOPIC).some((p) => p.toString() === a.peerId)
    )
    await until(() =>
      a.libp2p.services.pubsub.getSubscribers(RECORDS_TOPIC).some((p) => p.toString() === b.peerId)
    )
    const score = (): number =>
      (b.libp2p.services.pubsub as unknown as { getScore(id: string): number }).getScore(a.peerId)
    const before = score()
    for (const bad of [
      new Uint8Array([1, 2, 3]),
      encodeCbor({ r: new Uint8Array(4), s: new Uint8Array(4) })
    ]) {
      await a.libp2p.services.pubsub.publish(RECORDS_TOPIC, bad)
    }
    await a.libp2p.services.pubsub.publish(DOWN_TOPIC, encodeCbor({ peer: 5 }))
    await until(() => (b.stats().badInputByPeer[a.peerId] ?? 0) >= 3, 10_000, 'rejections counted')
    await until(() => score() < before, 10_000, 'a lower score')
    // b still holds a's good record and a is still healthy.
    expect(b.peers().find((p) => p.id === a.peerId)?.status).toBe('healthy')
  })
})

describe('failure detection', () => {
  it('marks a SIGKILLed peer down everywhere and drops its record, even where only gossip reached it', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay({ health: {} }))
    const watcher = fleet.add(await startDevice(relay, { name: 'watcher', health: {} }))
    const distant = fleet.add(
      await startDevice(relay, { name: 'distant', health: {}, limits: { maxDirectPeers: 0 } })
    )
    // Observers in processes of their own too, and the victim in another.
    const others = await Promise.all([
      startChildPeer(wsAddrs(relay), 'o1'),
      startChildPeer(wsAddrs(relay), 'o2')
    ])
    const victim = await startChildPeer(wsAddrs(relay), 'victim')
    try {
      const inProcess = [relay, watcher, distant]
      await until(
        () => inProcess.every((m) => m.peers().some((p) => p.id === victim.peerId)),
        15_000,
        'victim known'
      )
      for (const o of others) {
        const end = Date.now() + 15_000
        while (!(await o.peers()).includes(victim.peerId))
          if (Date.now() > end) throw new Error('child never saw the victim')
      }
      const left = inProcess.map(
        (m) =>
          new Promise<number>((resolve) => {
            m.on('peer:leave', (l) => {
              if (l.id === victim.peerId) resolve(performance.now())
            })
          })
      )
      const t0 = performance.now()
      await victim.kill('SIGKILL')
      const times = (await Promise.all(left)).map((t) => Math.round(t - t0))
      console.log('SIGKILL detected after (relay, watcher, distant) ms:', times)
      for (const m of inProcess) {
        expect(m.peers().some((p) => p.id === victim.peerId)).toBe(false)
        expect(m.capabilities(victim.peerId)).toEqual({})
      }
      for (const o of others) {
        const end = Date.now() + 10_000
        while ((await o.peers()).includes(victim.peerId))
          if (Date.now() > end) throw new Error('a child kept the victim')
        expect(await o.peers()).toContain(relay.peerId)
      }
    } finally {
      await Promise.all([victim, ...others].map((c) => c.kill('SIGKILL')))
    }
  })

  it('a live peer refutes a false down notice and comes back everywhere', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const liar = fleet.add(await startDevice(relay, { name: 'liar' }))
    const victim = fleet.add(await startDevice(relay, { name: 'victim', limits: { maxDirectPeers: 0 } }))
    const distant = fleet.add(await startDevice(relay, { name: 'distant', limits: { maxDirectPeers: 0 } }))
    await until(() => distant.peers().some((p) => p.id === victim.peerId) && liar.peers().length === 3)
    const events: string[] = []
    distant.on('peer:leave', (l) => void (l.id === victim.peerId && events.push('leave')))
    distant.on('peer:join', (p) => void (p.id === victim.peerId && events.push('join')))
    // A notice claiming a version newer than anything the victim has published yet.
    // Record versions are HLC timestamps packed as wall ms × 1000 + logical.
    const seq = (Date.now() + 5_000) * 1_000
    await liar.libp2p.services.pubsub.publish(DOWN_TOPIC, encodeCbor({ peer: victim.peerId, seq }))
    await until(() => events.join() === 'leave,join', 10_000, 'removed, then back')
    // A notice dated beyond any clock drift is refused outright.
    const future = (Date.now() + 3_600_000) * 1_000
    await liar.libp2p.services.pubsub.publish(DOWN_TOPIC, encodeCbor({ peer: victim.peerId, seq: future }))
    await until(() => (distant.stats().badInputByPeer[liar.peerId] ?? 0) >= 1, 10_000, 'refused')
    expect(events.join()).toBe('leave,join')
    expect(distant.peers().find((p) => p.id === victim.peerId)?.status).toBe('healthy')
    expect(liar.peers().some((p) => p.id === victim.peerId)).toBe(true)
  })

  it('a 1 s event-loop stall is not mistaken for death', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay({ health: {} }))
    const observer = fleet.add(await startDevice(relay, { name: 'observer', health: {} }))
    const sleeper = await startChildPeer(wsAddrs(relay), 'sleeper')
    try {
      await until(() => observer.peers().some((p) => p.id === sleeper.peerId && p.link === 'tcp'), 15_000)
      const bad: string[] = []
      for (const m of [relay, observer]) {
        m.on('peer:leave', (l) => l.id === sleeper.peerId && bad.push('leave'))
        m.on('peer:status', (p) => p.id === sleeper.peerId && p.status === 'down' && bad.push('down'))
      }
      const before = observer.peers().find((p) => p.id === sleeper.peerId)?.lastSeen ?? 0
      sleeper.command('stall 1000')
      await sleeper.printed('stalled')
      // Wait until we have heard from it again after the stall, then for twice the
      // suspect threshold more: anything false would have happened by then.
      await until(
        () => (observer.peers().find((p) => p.id === sleeper.peerId)?.lastSeen ?? 0) > before + 1_000,
        10_000
      )
      const settled = Date.now() + 6_000
      await until(() => Date.now() > settled, 10_000)
      expect(bad).toEqual([])
      expect(observer.peers().find((p) => p.id === sleeper.peerId)?.status).toBe('healthy')
    } finally {
      await sleeper.kill('SIGKILL')
    }
  })
})
