import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import type { Ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from 'libp2p'
import { createMesh } from 'mesh-core'
import type { Mesh } from 'mesh-core'
import { summarise } from './stats.ts'
import type { Row } from './stats.ts'
import { until } from './until.ts'

async function rawNode(): Promise<Libp2p<{ ping: Ping }>> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // The same inbound limit Mesh sets: libp2p's default (5/s per host) refuses a tight dial loop.
    connectionManager: { inboundConnectionThreshold: 100 },
    services: { ping: ping() }
  })
}

async function hangUpAll(a: Libp2p, b: Libp2p): Promise<void> {
  await a.hangUp(b.peerId)
  await until(
    () => a.getConnections(b.peerId).length === 0 && b.getConnections(a.peerId).length === 0,
    5_000,
    'hang up'
  )
}

/**
 * Node↔Node over TCP on loopback: from dial to the first ping answered. Baseline: raw
 * libp2p 3 (tcp + noise + yamux) dial + libp2p ping, measured in the same run.
 */
export async function benchNodeDial(runs: number): Promise<Row> {
  const ra = await rawNode()
  const rb = await rawNode()
  const raw: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await ra.dial(rb.getMultiaddrs()[0]!)
    await ra.services.ping.ping(rb.peerId)
    raw.push(performance.now() - t0)
    await hangUpAll(ra, rb)
  }
  await ra.stop()
  await rb.stop()

  const opts = { mdns: false, dht: false, listen: ['/ip4/127.0.0.1/tcp/0'] }
  const ma: Mesh = await createMesh({ ...opts, name: 'bench-a' })
  const mb: Mesh = await createMesh({ ...opts, name: 'bench-b' })
  const ours: number[] = []
  const target = mb.addresses()[0]!
  const { multiaddr } = await import('@multiformats/multiaddr')
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await ma.libp2p.dial(multiaddr(target))
    await ma.ping(mb.peerId)
    ours.push(performance.now() - t0)
    await hangUpAll(ma.libp2p, mb.libp2p)
  }
  await ma.stop()
  await mb.stop()
  return {
    bench: 'node-dial-to-first-ping',
    case: 'Node↔Node, TCP loopback',
    unit: 'ms',
    result: summarise(ours),
    baseline: { what: 'raw libp2p dial + ping', result: summarise(raw) },
    note: 'ours: libp2p dial + first Mesh RPC ping (opens the long-lived RPC stream)'
  }
}
