/** A capability value as peers advertise it. */
export type CapabilityValue = number | boolean | string | string[]

/** What a peer can do: `{ cpu: 4, gpu: 2, camera: true, platform: 'linux' }`. */
export type Capabilities = Record<string, CapabilityValue>

/** A numeric range a capability must fall in. */
export interface Range {
  min?: number
  max?: number
}

/** A query over capabilities. See `matches()` for the rules. */
export type Needs = Record<string, CapabilityValue | Range>

/** How we reach a peer: the best open connection to it, or `none` when we only hear of it. */
export type LinkKind = 'webrtc' | 'relay' | 'tcp' | 'websocket' | 'none'

/** The health of a peer as the failure detector sees it. */
export type PeerStatus = 'healthy' | 'suspect' | 'paused' | 'down'

/** How good our path to a peer is (the Raxol node monitor's link quality). */
export type LinkQuality = 'excellent' | 'good' | 'degraded' | 'poor' | 'disconnected'

/** What kind of node a peer is. */
export type PeerRole = 'browser' | 'device' | 'relay'

export interface PeerInfo {
  id: string
  name: string
  role: PeerRole
  capabilities: Capabilities
  status: PeerStatus
  /** The kind of the best open connection, or `none`. */
  link: LinkKind
  /** The last measured round trip in milliseconds, when we are connected. */
  rttMs: number | undefined
  /** The mean of the last RTT samples (up to 60). */
  rttAvgMs: number | undefined
  /** The last RTT samples, oldest first (up to 60). */
  rttHistory: number[]
  quality: LinkQuality
  /** Multiaddrs the peer says it can be dialled on. */
  addresses: string[]
  /** When the peer started, by its own clock (ms since the epoch). */
  startedAt: number
  /** When we last heard from it, by our clock. */
  lastSeen: number
}

export interface HealthOptions {
  /** @default 2_000 */
  pingIntervalMs?: number
  /** How often a peer re-announces itself over gossip. @default 1_000 */
  heartbeatIntervalMs?: number
  /** @default 3_000 */
  suspectAfterMs?: number
  /** @default 8_000 */
  downAfterMs?: number
  /**
   * A peer whose last connection to us closed, and that stays silent this long, is down
   * (a crashed process or a closed tab). A live peer is heard again by gossip well
   * within it. @default 2_000
   */
  lostGraceMs?: number
  /** How often we exchange registry digests with one random peer. @default 10_000 */
  antiEntropyIntervalMs?: number
}

export interface LimitOptions {
  /** The largest frame accepted on any Mesh protocol. @default 1_048_576 */
  maxMessageBytes?: number
  /** @default 100 in browsers, 300 in Node, 1_000 on a relay */
  maxConnections?: number
  /**
   * Inbound connections one host may open per second before the rest are refused.
   * libp2p's default of 5 is too low for a mesh: every WebRTC connection set up through a
   * relay, and every phone behind one NAT, counts against one host. @default 100
   */
  inboundConnectionsPerSecond?: number
  /**
   * Direct links this peer opens to other peers it hears of. The mesh is sparse: records
   * reach everyone by gossip either way, and a task to a peer beyond the cap dials it on
   * demand. On Node peers the kad-dht keeps routing-table connections of its own on top.
   * @default 20 in browsers, 50 in Node
   */
  maxDirectPeers?: number
}

/** Limits of the circuit-relay-v2 server a relay runs. See docs/CONFIGURATION.md. */
export interface RelayLimits {
  /** @default 256 */
  maxReservations?: number
  /** @default 7_200_000 (2 h) */
  reservationTtlMs?: number
  /** How long one relayed (signalling) connection may live. @default 120_000 */
  connectionDurationMs?: number
  /** How many bytes one relayed connection may carry each way. @default 1_048_576 */
  connectionDataBytes?: number
}

export interface MeshOptions {
  /**
   * Multiaddrs or URLs of relays. A URL ending in `.json` is fetched and must hold
   * `{ "addresses": [multiaddr, ...] }`. The browser default is
   * `${location.origin}/bootstrap.json`; Node has none.
   */
  bootstrap?: string[]
  /** A human name shown to other peers. @default a generated one */
  name?: string
  capabilities?: Capabilities
  /** Multiaddrs to listen on. Defaults depend on the role. */
  listen?: string[]
  /** Multiaddrs to announce instead of the listen addresses (a relay behind NAT). */
  announce?: string[]
  /** Where a Node peer keeps its identity key. Browsers use IndexedDB. */
  dataDir?: string
  /** LAN discovery over mDNS (Node only). @default true on devices */
  mdns?: boolean
  /** Run the kad-dht (Node only). @default true on devices and relays */
  dht?: boolean
  health?: HealthOptions
  limits?: LimitOptions
  /** What this peer is. @default 'browser' in browsers, 'device' in Node */
  role?: PeerRole
  /** Relay server limits, when `role` is 'relay'. */
  relay?: RelayLimits
  /** TLS for the WebSocket listener (a relay serving wss). PEM strings. */
  tls?: { cert: string; key: string }
  /** Extra RTCConfiguration for WebRTC. @default { iceServers: [] } (no third-party STUN) */
  rtcConfiguration?: RTCConfiguration
  /**
   * On `stop()` (and so on SIGTERM in mesh-bridge), hand each local actor to another
   * capable peer first, for at most 3 s. @default true
   * @deprecated use `evacuate.onStop`
   */
  evacuateOnStop?: boolean
  /** When this peer hands its actors to other capable peers before it goes. */
  evacuate?: EvacuationOptions
  /** Dial loopback and private addresses (tests, LANs). @default true */
  allowPrivateAddresses?: boolean
}

/**
 * Which triggers make a peer hand its actors away. Each one moves every local actor
 * (virtual activations excepted) to the best other peer that hosts its behaviour.
 */
export interface EvacuationOptions {
  /** On `stop()`, and so on SIGTERM in mesh-bridge; bounded by 3 s. @default true */
  onStop?: boolean
  /** Browser: on pagehide. Best effort: the page may be gone before the move ends. @default true */
  onPageHide?: boolean
  /** Browser: once the page has been hidden this long; `false` never. @default 60_000 */
  hiddenForMs?: number | false
  /** Once the battery falls below this fraction while discharging; `false` never. @default 0.15 */
  batteryBelow?: number | false
}

export type EvacuationReason = 'stop' | 'pagehide' | 'hidden' | 'battery' | 'request'

export interface MeshEvents {
  'peer:join': PeerInfo
  'peer:leave': { id: string; reason: string }
  'peer:status': PeerInfo
  'peer:quality': PeerInfo
  'peer:update': PeerInfo
  'capabilities:change': { id: string; capabilities: Capabilities }
  /** An actor hosted here stopped. */
  'actor:down': { pid: string; reason: string }
  /** A name this peer registered lost a conflict; `winner` keeps it. */
  'name:lost': { name: string; pid: string; winner: string }
  /** A supervised child (re)started here, or gave up. */
  'supervisor:restart': { id: string; pid: string; peer: string; restarts: number }
  'supervisor:giveup': { id: string; reason: string }
  connection: { state: ConnectionState }
  /** This peer handed its actors away: `moved` of `actors` made it. */
  evacuate: { reason: EvacuationReason; moved: number; actors: number }
}

export type MeshEventName = keyof MeshEvents

/** Whether this peer can reach the mesh. */
export type ConnectionState = 'connecting' | 'online' | 'offline' | 'stopped'

export interface TaskContext {
  /** The peer id of the caller. */
  from: string
  /** Aborted when the caller cancels, times out or goes away. */
  signal: AbortSignal
  /** 1 on the first try; a retry on another peer (`retries`) counts up. */
  attempt: number
  /** The same on every attempt of one task: deduplicate side effects with it. */
  idempotencyKey: string
  /** Send a chunk to the caller (a stream: `for await (const c of task)`). */
  emit(chunk: unknown): void
  /** Report progress, a fraction from 0 to 1 (the caller's `progress` event). */
  progress(fraction: number): void
}

export type TaskHandler = (args: unknown, ctx: TaskContext) => unknown

export interface TaskOptions {
  /** Run on this peer, skipping placement. */
  peer?: string
  /** @default 30_000 */
  timeoutMs?: number
  signal?: AbortSignal
  /**
   * Retry on another capable peer when the executing peer dies or disconnects: the task
   * becomes at-least-once. @default 0 (at-most-once)
   */
  retries?: number
  /** `{ hash: key }`: a deterministic owner among the capable peers (rendezvous hashing). */
  placement?: { hash: string }
}
