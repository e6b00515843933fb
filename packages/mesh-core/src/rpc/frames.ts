import { isErrorCode } from '../errors.ts'
import type { WireError } from '../errors.ts'

/** The frames of `/mesh/rpc/1.0.0`, a discriminated union on `t`. See docs/PROTOCOL.md. */
export type RpcFrame =
  | { t: 'req'; id: number; name: string; args: unknown; attempt: number; key: string }
  | { t: 'res'; id: number; ok: true; v: unknown }
  | { t: 'res'; id: number; ok: false; e: WireError }
  | { t: 'cancel'; id: number }
  | { t: 'ping'; id: number }
  | { t: 'pong'; id: number }
  | { t: 'bye'; id: number; rec: Uint8Array }
  /** A chunk the handler of request `id` emitted (streams). */
  | { t: 'chunk'; id: number; v: unknown }
  /** Progress of request `id`, a fraction from 0 to 1. */
  | { t: 'prog'; id: number; p: number }
  /** A one-way message of kind `k` for the actor layer; `id` is 0. */
  | { t: 'cast'; id: number; k: string; b: unknown }

export const MAX_NAME_BYTES = 256
export const MAX_CAST_KIND = 32

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}

function isWireError(v: unknown): v is WireError {
  if (typeof v !== 'object' || v === null) return false
  const e = v as Record<string, unknown>
  return isErrorCode(e.code) && typeof e.message === 'string' && typeof e.name === 'string'
}

/** Validate an inbound frame: the frame, or a string saying what is wrong. */
export function parseRpcFrame(v: unknown): RpcFrame | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'frame must be a map'
  const f = v as Record<string, unknown>
  if (!isId(f.id)) return 'frame id must be a non-negative integer'
  switch (f.t) {
    case 'req':
      if (typeof f.name !== 'string' || f.name.length === 0 || f.name.length > MAX_NAME_BYTES)
        return 'bad task name'
      if (!isId(f.attempt)) return 'bad attempt'
      if (typeof f.key !== 'string' || f.key.length > 128) return 'bad idempotency key'
      return { t: 'req', id: f.id, name: f.name, args: f.args, attempt: f.attempt, key: f.key }
    case 'res':
      if (f.ok === true) return { t: 'res', id: f.id, ok: true, v: f.v }
      if (f.ok === false && isWireError(f.e)) return { t: 'res', id: f.id, ok: false, e: f.e }
      return 'bad result'
    case 'bye':
      if (!(f.rec instanceof Uint8Array) || f.rec.byteLength > 16_384) return 'bad goodbye record'
      return { t: 'bye', id: f.id, rec: f.rec }
    case 'chunk':
      return { t: 'chunk', id: f.id, v: f.v }
    case 'prog':
      if (typeof f.p !== 'number' || !(f.p >= 0 && f.p <= 1)) return 'progress must be a number from 0 to 1'
      return { t: 'prog', id: f.id, p: f.p }
    case 'cast':
      if (typeof f.k !== 'string' || f.k.length === 0 || f.k.length > MAX_CAST_KIND) return 'bad cast kind'
      return { t: 'cast', id: f.id, k: f.k, b: f.b }
    case 'cancel':
    case 'ping':
    case 'pong':
      return { t: f.t, id: f.id }
    default:
      return `unknown frame type ${JSON.stringify(f.t)?.slice(0, 40)}`
  }
}
