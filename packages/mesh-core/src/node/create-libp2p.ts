import { gossipsub } from '@libp2p/gossipsub'
import { createPeerScoreParams, createTopicScoreParams } from '@libp2p/gossipsub/score'
import type { GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import type { Ping } from '@libp2p/ping'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from 'libp2p'
import { platform } from '#platform'
import {
  DEFAULT_BROWSER_MAX_CONNECTIONS,
  DEFAULT_INBOUND_CONNECTIONS_PER_SECOND,
  DEFAULT_NODE_MAX_CONNECTIONS,
  DEFAULT_RELAY_MAX_CONNECTIONS,
  DOWN_TOPIC,
  RECORDS_TOPIC
} from '../constants.ts'
import type { MeshOptions, PeerRole } from '../types.ts'

export type MeshServices = { pubsub: GossipSub; ping: Ping; identify: unknown }
export type MeshLibp2p = Libp2p<MeshServices>

function maxConnections(role: PeerRole, o: MeshOptions): number {
  if (o.limits?.maxConnections !== undefined) return o.limits.maxConnections
  switch (role) {
    case 'relay':
      return DEFAULT_RELAY_MAX_CONNECTIONS
    case 'browser':
      return DEFAULT_BROWSER_MAX_CONNECTIONS
    case 'device':
      return DEFAULT_NODE_MAX_CONNECTIONS
  }
}

/**
 * Peer scoring for our topics: a peer that sends invalid records or down notices loses
 * score fast (P4 is squared: three invalid messages reach the graylist at -80). Quiet
 * peers are not punished (no mesh-delivery penalty: records only flow on change and
 * heartbeats), and many peers behind one IP (loopback, a classroom NAT) are normal here,
 * so the IP colocation penalty is off.
 */
const topicScore = createTopicScoreParams({
  topicWeight: 1,
  timeInMeshWeight: 0.01,
  timeInMeshQuantum: 1_000,
  timeInMeshCap: 100,
  firstMessageDeliveriesWeight: 0.1,
  firstMessageDeliveriesDecay: 0.5,
  firstMessageDeliveriesCap: 10,
  meshMessageDeliveriesWeight: 0,
  meshFailurePenaltyWeight: 0,
  invalidMessageDeliveriesWeight: -10,
  invalidMessageDeliveriesDecay: 0.5
})
const scoreParams = createPeerScoreParams({
  IPColocationFactorWeight: 0,
  topics: { [RECORDS_TOPIC]: topicScore, [DOWN_TOPIC]: topicScore }
})

/** Assemble libp2p for this environment and role (DESIGN.md, layer 1). */
export async function createMeshLibp2p(key: PrivateKey, role: PeerRole, o: MeshOptions): Promise<MeshLibp2p> {
  const parts = platform.libp2pParts(role, o)
  const allowPrivate = o.allowPrivateAddresses ?? true
  const node = await createLibp2p({
    privateKey: key,
    start: false,
    addresses: { listen: parts.listen, ...(o.announce !== undefined ? { announce: o.announce } : {}) },
    transports: parts.transports,
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: parts.peerDiscovery,
    // Browsers refuse loopback and private addresses by default; a field mesh lives on them.
    connectionGater: allowPrivate ? { denyDialMultiaddr: () => false } : {},
    connectionManager: {
      maxConnections: maxConnections(role, o),
      inboundConnectionThreshold:
        o.limits?.inboundConnectionsPerSecond ?? DEFAULT_INBOUND_CONNECTIONS_PER_SECOND
    },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        globalSignaturePolicy: 'StrictSign',
        // Records are small; a larger inbound gossip message is garbage or an attack.
        maxInboundDataLength: 64 * 1024,
        scoreParams
      }),
      // libp2p hands every factory all components; each declares only what it uses.
      ...(parts.services as unknown as Record<string, (c: Record<string, unknown>) => unknown>)
    }
  })
  return node
}
