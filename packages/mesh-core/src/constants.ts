import type { HealthOptions } from './types.ts'

/** Protocol ids. Versioned: a change of wire format is a change of id. */
export const RPC_PROTOCOL = '/mesh/rpc/1.0.0'
export const REGISTRY_PROTOCOL = '/mesh/registry/1.0.0'
/** The gossipsub topic that carries signed peer records. */
export const RECORDS_TOPIC = 'mesh/records/1'
/** The gossipsub topic that carries down notices (a direct observer saw a peer die). */
export const DOWN_TOPIC = 'mesh/down/1'

export const DEFAULT_PING_INTERVAL_MS = 2_000
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000
export const DEFAULT_SUSPECT_AFTER_MS = 3_000
export const DEFAULT_DOWN_AFTER_MS = 8_000
/** RTT samples kept per peer (the Raxol node monitor keeps 60). */
export const RTT_HISTORY = 60
/** Periodic anti-entropy: a digest exchange with one random peer. */
export const DEFAULT_ANTI_ENTROPY_INTERVAL_MS = 10_000
/** How long a peer we lost every connection to may stay silent before it is down. */
export const DEFAULT_LOST_GRACE_MS = 2_000
/** Direct (non-relayed) links a browser keeps: the mesh is sparse, records travel by gossip. */
export const DEFAULT_BROWSER_MAX_DIRECT_PEERS = 20
export const DEFAULT_NODE_MAX_DIRECT_PEERS = 50

export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_576
export const DEFAULT_TASK_TIMEOUT_MS = 30_000
export const DEFAULT_DIAL_TIMEOUT_MS = 10_000

/** Registry record bounds: a record is small metadata, not a data store. */
export const MAX_RECORD_BYTES = 16_384
export const MAX_CAPABILITIES = 64
export const MAX_CAPABILITY_KEY_LENGTH = 64
export const MAX_CAPABILITY_STRING_LENGTH = 256
export const MAX_CAPABILITY_LIST_LENGTH = 32
export const MAX_NAME_LENGTH = 64
export const MAX_ADDRESSES = 32
export const MAX_ADDRESS_LENGTH = 512
/** How many records one sync frame may carry. */
export const MAX_RECORDS_PER_SYNC = 2_000

export const DEFAULT_RELAY_MAX_RESERVATIONS = 256
export const DEFAULT_RELAY_RESERVATION_TTL_MS = 2 * 60 * 60 * 1_000
export const DEFAULT_RELAY_CONNECTION_DURATION_MS = 120_000
export const DEFAULT_RELAY_CONNECTION_DATA_BYTES = 1_048_576

export const DEFAULT_BROWSER_MAX_CONNECTIONS = 100
export const DEFAULT_NODE_MAX_CONNECTIONS = 300
export const DEFAULT_RELAY_MAX_CONNECTIONS = 1_000
export const DEFAULT_INBOUND_CONNECTIONS_PER_SECOND = 100
/** Bootstrap redial backoff. */
export const BOOTSTRAP_RETRY_MIN_MS = 500
export const BOOTSTRAP_RETRY_MAX_MS = 10_000
/** How long stop() waits for its goodbyes to be written before it closes connections. */
export const GOODBYE_TIMEOUT_MS = 1_000
/** How long closing a channel may wait for its peer (a dead link never answers); then it is reset. */
export const CHANNEL_CLOSE_TIMEOUT_MS = 1_000
/** How long stop() spends handing local actors to other peers before it leaves. */
export const EVACUATE_MS = 3_000
/** An evacuation with no deadline of its own (a low battery, a long-hidden page, a request). */
export const EVACUATE_UNHURRIED_MS = 15_000
/** Bad frames from one peer before we hang up on it. */
export const BAD_INPUT_HANGUP = 20
/** How long a hidden tab counts as paused before it is declared down, while its link stands. */
export const PAUSED_GRACE_MS = 60_000

/** Every health default in one place, for tools that report what they ran with. */
export const DEFAULT_HEALTH: Readonly<Required<HealthOptions>> = {
  pingIntervalMs: DEFAULT_PING_INTERVAL_MS,
  heartbeatIntervalMs: DEFAULT_HEARTBEAT_INTERVAL_MS,
  suspectAfterMs: DEFAULT_SUSPECT_AFTER_MS,
  downAfterMs: DEFAULT_DOWN_AFTER_MS,
  lostGraceMs: DEFAULT_LOST_GRACE_MS,
  antiEntropyIntervalMs: DEFAULT_ANTI_ENTROPY_INTERVAL_MS
}
