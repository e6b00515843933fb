import { needsProblem } from '../capabilities/validate.ts'
import type { Needs } from '../types.ts'
import { encodeCbor } from '../wire/cbor.ts'
import { MAX_ACTOR_NAME, pidProblem } from './pid.ts'
import type { Pid } from './types.ts'

/** A mesh-wide name as one peer claims it. */
export interface NameClaim {
  pid: Pid
  /** When it was claimed (the claimer's clock): the earlier claim wins a conflict. */
  at: number
}

/** A supervised child as its current host publishes it: enough to restart it elsewhere. */
export interface ChildEntry {
  id: string
  pid: Pid
  actor: string
  args: unknown
  needs: Needs
  restart: 'permanent' | 'transient' | 'temporary'
  maxRestarts: number
  withinMs: number
  /** Counts restarts on other peers: the higher epoch is the newer instance. */
  epoch: number
}

/** What a peer publishes in its record (field `dir`) about names and supervised children. */
export interface DirectoryEntry {
  names: Record<string, NameClaim>
  children: ChildEntry[]
  /**
   * Actors running here that were born elsewhere (they came by handoff): so a pid stays
   * reachable after its birth host, which would forward to it, is gone.
   */
  guests?: Pid[]
}

export const MAX_NAMES_PER_PEER = 32
export const MAX_CHILDREN_PER_PEER = 32
/** Guests listed in a record; more are still reachable through their birth host's forwarding. */
export const MAX_GUESTS_PER_PEER = 32
export const MAX_REGISTERED_NAME = 128
/** A supervised child's args travel in its host's record: keep them small. */
export const MAX_CHILD_ARGS_BYTES = 1_024
/** All of a peer's names and children together, so its record stays under MAX_RECORD_BYTES. */
export const MAX_DIRECTORY_BYTES = 8_192
const RESTARTS = new Set(['permanent', 'transient', 'temporary'])

export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_REGISTERED_NAME)
    return `a name is 1 to ${MAX_REGISTERED_NAME} characters`
  if (name.includes('/')) return 'a name holds no "/" (that is how pids look)'
  return undefined
}

function childProblem(c: unknown): string | undefined {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return 'child must be a map'
  const x = c as Record<string, unknown>
  if (typeof x.id !== 'string' || x.id.length === 0 || x.id.length > MAX_REGISTERED_NAME)
    return 'bad child id'
  if (pidProblem(x.pid) !== undefined) return 'bad child pid'
  if (typeof x.actor !== 'string' || x.actor.length === 0 || x.actor.length > MAX_ACTOR_NAME)
    return 'bad child actor'
  if (typeof x.restart !== 'string' || !RESTARTS.has(x.restart)) return 'bad child restart'
  for (const k of ['maxRestarts', 'withinMs', 'epoch'] as const) {
    const n = x[k]
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return `bad child ${k}`
  }
  const np = needsProblem(x.needs)
  if (np !== undefined) return `bad child needs: ${np}`
  let bytes: number
  try {
    bytes = encodeCbor(x.args ?? null).byteLength
  } catch {
    return 'bad child args'
  }
  if (bytes > MAX_CHILD_ARGS_BYTES)
    return `child args are ${bytes} bytes, the limit is ${MAX_CHILD_ARGS_BYTES}`
  return undefined
}

/** Why a directory entry would not fit in a record, or undefined. */
export function directorySizeProblem(d: DirectoryEntry): string | undefined {
  const bytes = encodeCbor(d).byteLength
  return bytes > MAX_DIRECTORY_BYTES
    ? `names and supervised children would take ${bytes} bytes of this peer's record, the limit is ${MAX_DIRECTORY_BYTES}`
    : undefined
}

/** Why a record's `dir` field is invalid, or undefined. */
export function directoryProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'dir must be a map'
  const d = v as Record<string, unknown>
  for (const k of Object.keys(d))
    if (k !== 'names' && k !== 'children' && k !== 'guests') return `unknown dir field ${k}`
  if (d.guests !== undefined) {
    if (!Array.isArray(d.guests) || d.guests.length > MAX_GUESTS_PER_PEER)
      return `dir.guests must be a list of at most ${MAX_GUESTS_PER_PEER}`
    if (d.guests.some((g) => pidProblem(g) !== undefined)) return 'bad guest pid'
  }
  const names = d.names
  if (typeof names !== 'object' || names === null || Array.isArray(names)) return 'dir.names must be a map'
  const entries = Object.entries(names)
  if (entries.length > MAX_NAMES_PER_PEER) return `more than ${MAX_NAMES_PER_PEER} names`
  for (const [name, claim] of entries) {
    const p = nameProblem(name)
    if (p !== undefined) return p
    const c = claim as Partial<NameClaim> | null
    if (typeof c !== 'object' || c === null || pidProblem(c.pid) !== undefined) return `bad claim for ${name}`
    if (typeof c.at !== 'number' || !Number.isFinite(c.at)) return `bad claim time for ${name}`
  }
  if (!Array.isArray(d.children) || d.children.length > MAX_CHILDREN_PER_PEER)
    return `dir.children must be a list of at most ${MAX_CHILDREN_PER_PEER}`
  for (const c of d.children) {
    const p = childProblem(c)
    if (p !== undefined) return p
  }
  return undefined
}

/** The winning claim of one name: the earliest, ties to the lower peer id. */
export function winningClaim(
  claims: Iterable<{ peer: string; claim: NameClaim }>
): { peer: string; claim: NameClaim } | undefined {
  let best: { peer: string; claim: NameClaim } | undefined
  for (const c of claims) {
    if (
      best === undefined ||
      c.claim.at < best.claim.at ||
      (c.claim.at === best.claim.at && c.peer < best.peer)
    )
      best = c
  }
  return best
}

/**
 * Which of two instances of one supervised child survives when they meet: the higher
 * epoch, then the lower host id. The same everywhere, so both sides agree.
 */
export function childWins(a: { epoch: number; host: string }, b: { epoch: number; host: string }): boolean {
  return a.epoch > b.epoch || (a.epoch === b.epoch && a.host < b.host)
}
