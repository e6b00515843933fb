import { MAX_ACTOR_NAME, pidProblem } from './pid.ts'
import type { Pid } from './types.ts'

/** The one-way actor messages, carried in RPC `cast` frames. See docs/PROTOCOL.md. */
/** A sender's numbering (see Inbox): incarnation, number, and the original sender when forwarded. */
export interface Numbered {
  i?: string
  q?: number
  f?: string
}

export type Cast =
  | ({ k: 'send'; to: Pid; m: unknown } & Numbered)
  | { k: 'moved'; pid: Pid; host: string }
  | { k: 'hreply'; cid: string; ok: boolean; v: unknown }
  | { k: 'adopt'; pid: Pid; d: Uint8Array }
  | { k: 'mon'; ref: string; pid: Pid }
  | { k: 'demon'; ref: string; pid: Pid }
  | { k: 'down'; ref: string; pid: Pid; reason: string }
  | { k: 'link'; pid: Pid; other: Pid }
  | { k: 'unlink'; pid: Pid; other: Pid }
  | { k: 'exit'; to: Pid; from: Pid; reason: string }

const MAX_REF = 160
/** The longest exit reason on the wire; longer ones are clipped by the sender. */
export const MAX_REASON = 1_024

function ref(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_REF
}

/** The optional numbering fields of a send or a call; a string when they are malformed. */
export function numbered(b: Record<string, unknown>): Numbered | string {
  const out: Numbered = {}
  if (b.i !== undefined) {
    if (typeof b.i !== 'string' || b.i.length === 0 || b.i.length > 32) return 'bad incarnation'
    out.i = b.i
  }
  if (b.q !== undefined) {
    if (typeof b.q !== 'number' || !Number.isSafeInteger(b.q) || b.q < 0) return 'bad sequence number'
    out.q = b.q
  }
  if (b.f !== undefined) {
    if (typeof b.f !== 'string' || b.f.length === 0 || b.f.length > 128) return 'bad original sender'
    out.f = b.f
  }
  if ((out.i === undefined) !== (out.q === undefined)) return 'incarnation and number go together'
  return out
}

function reason(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_REASON
}

/** Validate a cast: the cast, or what is wrong with it. */
export function parseCast(kind: string, body: unknown): Cast | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return `${kind}: body must be a map`
  const b = body as Record<string, unknown>
  switch (kind) {
    case 'send': {
      if (pidProblem(b.to) !== undefined) return 'send: bad pid'
      const n = numbered(b)
      if (typeof n === 'string') return `send: ${n}`
      return { k: 'send', to: b.to as Pid, m: b.m ?? null, ...n }
    }
    case 'moved':
      if (
        pidProblem(b.pid) !== undefined ||
        typeof b.host !== 'string' ||
        b.host.length === 0 ||
        b.host.length > 128
      )
        return 'moved: bad fields'
      return { k: 'moved', pid: b.pid as Pid, host: b.host }
    case 'hreply':
      if (!ref(b.cid) || typeof b.ok !== 'boolean') return 'hreply: bad fields'
      return { k: 'hreply', cid: b.cid, ok: b.ok, v: b.v ?? null }
    case 'adopt':
      if (pidProblem(b.pid) !== undefined || !(b.d instanceof Uint8Array) || b.d.byteLength === 0)
        return 'adopt: bad pid or snapshot'
      return { k: 'adopt', pid: b.pid as Pid, d: b.d }
    case 'mon':
    case 'demon':
      if (!ref(b.ref) || pidProblem(b.pid) !== undefined) return `${kind}: bad ref or pid`
      return { k: kind, ref: b.ref, pid: b.pid as Pid }
    case 'down':
      if (!ref(b.ref) || pidProblem(b.pid) !== undefined || !reason(b.reason)) return 'down: bad fields'
      return { k: 'down', ref: b.ref, pid: b.pid as Pid, reason: b.reason }
    case 'link':
    case 'unlink':
      if (pidProblem(b.pid) !== undefined || pidProblem(b.other) !== undefined) return `${kind}: bad pids`
      return { k: kind, pid: b.pid as Pid, other: b.other as Pid }
    case 'exit':
      if (pidProblem(b.to) !== undefined || pidProblem(b.from) !== undefined || !reason(b.reason))
        return 'exit: bad fields'
      return { k: 'exit', to: b.to as Pid, from: b.from as Pid, reason: b.reason }
    default:
      return `unknown cast kind ${JSON.stringify(kind).slice(0, 40)}`
  }
}

/** Arguments of the `mesh.spawn`, `mesh.call` and `mesh.virtual` system tasks. */
export function parseSpawn(
  v: unknown
): { actor: string; args: unknown; trap?: boolean; local?: string } | string {
  const b = v as Record<string, unknown> | null
  if (typeof b !== 'object' || b === null) return 'spawn: args must be a map'
  if (typeof b.actor !== 'string' || b.actor.length === 0 || b.actor.length > MAX_ACTOR_NAME)
    return 'spawn: bad actor'
  if (b.trap !== undefined && typeof b.trap !== 'boolean') return 'spawn: bad trap'
  if (b.local !== undefined && (typeof b.local !== 'string' || b.local.length > 128 || b.local.includes('/')))
    return 'spawn: bad local id'
  const out: { actor: string; args: unknown; trap?: boolean; local?: string } = {
    actor: b.actor,
    args: b.args ?? null
  }
  if (b.trap !== undefined) out.trap = b.trap
  if (b.local !== undefined) out.local = b.local
  return out
}

export function parseCallArgs(v: unknown): ({ to: Pid; m: unknown } & Numbered) | string {
  const b = v as Record<string, unknown> | null
  if (typeof b !== 'object' || b === null || pidProblem(b.to) !== undefined) return 'call: bad pid'
  const n = numbered(b)
  if (typeof n === 'string') return `call: ${n}`
  return { to: b.to as Pid, m: b.m ?? null, ...n }
}

export function parseVirtual(v: unknown): { actor: string; id: string; m: unknown } | string {
  const b = v as Record<string, unknown> | null
  if (typeof b !== 'object' || b === null) return 'virtual: args must be a map'
  if (typeof b.actor !== 'string' || b.actor.length === 0 || b.actor.length > MAX_ACTOR_NAME)
    return 'virtual: bad actor'
  if (typeof b.id !== 'string' || b.id.length === 0 || b.id.length > 256) return 'virtual: bad id'
  return { actor: b.actor, id: b.id, m: b.m ?? null }
}
