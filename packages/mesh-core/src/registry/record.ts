import { peerIdFromString } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { capabilitiesProblem } from '../capabilities/validate.ts'
import { MAX_ADDRESSES, MAX_ADDRESS_LENGTH, MAX_NAME_LENGTH, MAX_RECORD_BYTES } from '../constants.ts'
import { BadMessageError, TooLargeError } from '../errors.ts'
import type { Capabilities, PeerRole } from '../types.ts'
import { directoryProblem } from '../actors/directory.ts'
import type { DirectoryEntry } from '../actors/directory.ts'
import { decodeCbor, encodeCbor } from '../wire/cbor.ts'

/** What a peer says about itself. Signed by its own key; anyone may forward it. */
export interface PeerRecord {
  /** The signer's peer id. */
  peer: string
  /** Monotonic per peer: a higher seq replaces a lower one. */
  seq: number
  name: string
  role: PeerRole
  caps: Capabilities
  addrs: string[]
  startedAt: number
  state: RecordState
  /** Names this peer registered and the supervised children it hosts. */
  dir?: DirectoryEntry
}

export type RecordState = 'up' | 'paused' | 'leaving'

/** A record together with its signed wire bytes, so it can be forwarded unchanged. */
export interface SignedRecord {
  record: PeerRecord
  envelope: Uint8Array
}

const DOMAIN = new TextEncoder().encode('mesh-peer-record:')
const ROLES = new Set<string>(['browser', 'device', 'relay'])
const STATES = new Set<string>(['up', 'paused', 'leaving'])

function signedBytes(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(DOMAIN.byteLength + payload.byteLength)
  out.set(DOMAIN, 0)
  out.set(payload, DOMAIN.byteLength)
  return out
}

export async function signRecord(record: PeerRecord, key: PrivateKey): Promise<SignedRecord> {
  const payload = encodeCbor(record)
  const sig = await key.sign(signedBytes(payload))
  const envelope = encodeCbor({ r: payload, s: sig })
  if (envelope.byteLength > MAX_RECORD_BYTES) {
    throw new TooLargeError(`record is ${envelope.byteLength} bytes, the limit is ${MAX_RECORD_BYTES}`)
  }
  return { record, envelope }
}

/** Why a decoded value is not a valid record, or `undefined`. */
export function recordProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'record must be a map'
  const r = v as Record<string, unknown>
  if (typeof r.peer !== 'string' || r.peer.length > 128) return 'bad peer'
  if (typeof r.seq !== 'number' || !Number.isSafeInteger(r.seq) || r.seq < 0) return 'bad seq'
  if (typeof r.name !== 'string' || r.name.length > MAX_NAME_LENGTH) return 'bad name'
  if (typeof r.role !== 'string' || !ROLES.has(r.role)) return 'bad role'
  if (typeof r.state !== 'string' || !STATES.has(r.state)) return 'bad state'
  if (typeof r.startedAt !== 'number' || !Number.isFinite(r.startedAt)) return 'bad startedAt'
  if (!Array.isArray(r.addrs) || r.addrs.length > MAX_ADDRESSES) return 'bad addrs'
  for (const a of r.addrs) if (typeof a !== 'string' || a.length > MAX_ADDRESS_LENGTH) return 'bad address'
  const capsProblem = capabilitiesProblem(r.caps)
  if (capsProblem !== undefined) return capsProblem
  if (r.dir !== undefined) {
    const dirProblem = directoryProblem(r.dir)
    if (dirProblem !== undefined) return dirProblem
  }
  const known = new Set(['peer', 'seq', 'name', 'role', 'state', 'startedAt', 'addrs', 'caps', 'dir'])
  for (const k of Object.keys(r)) if (!known.has(k)) return `unknown field ${k}`
  return undefined
}

/**
 * Decode and verify a signed record envelope. Throws `BadMessageError` or
 * `TooLargeError`; never returns an unverified record.
 */
export async function openRecord(envelope: Uint8Array): Promise<SignedRecord> {
  if (envelope.byteLength > MAX_RECORD_BYTES) {
    throw new TooLargeError(`record is ${envelope.byteLength} bytes, the limit is ${MAX_RECORD_BYTES}`)
  }
  const env = decodeCbor(envelope) as { r?: unknown; s?: unknown } | null
  if (
    typeof env !== 'object' ||
    env === null ||
    !(env.r instanceof Uint8Array) ||
    !(env.s instanceof Uint8Array)
  ) {
    throw new BadMessageError('record envelope must be { r: bytes, s: bytes }')
  }
  const record = decodeCbor(env.r)
  const problem = recordProblem(record)
  if (problem !== undefined) throw new BadMessageError(`invalid record: ${problem}`)
  const rec = record as PeerRecord
  let publicKey
  try {
    publicKey = peerIdFromString(rec.peer).publicKey
  } catch {
    throw new BadMessageError('record peer is not a peer id')
  }
  if (publicKey === undefined) throw new BadMessageError('record peer id carries no public key')
  const ok = await publicKey.verify(signedBytes(env.r), env.s)
  if (!ok) throw new BadMessageError('record signature does not verify')
  return { record: rec, envelope }
}
