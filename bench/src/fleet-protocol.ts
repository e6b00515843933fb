/**
 * The control channel between a bench and its fleet workers (fleet-worker.ts), over Node
 * IPC. The parent sends requests, each with an `id`; a worker answers each with one
 * `reply` of the same id, and on its own sends `arrived` when all its devices saw what
 * it was armed for. Every message is checked on arrival.
 */
import type { HealthOptions, LimitOptions } from 'mesh-core'

/** What a measured run waits for: a capabilities:change with this seq, or a raw gossip tag. */
export type ArrivalKind = 'record' | 'raw'

export interface WorkerTuning {
  health?: HealthOptions
  limits?: LimitOptions
}

export type ToWorker =
  /** Start these devices, all at once, and answer when they are online. */
  | {
      type: 'grow'
      id: number
      names: string[]
      bootstrap: string[]
      tuning: WorkerTuning
      deadlineMs: number
    }
  /** The whole fleet (devices, advertiser, relay): what a settled device must see. */
  | { type: 'fleet'; id: number; ids: string[] }
  /** Per device: how many of the fleet it knows and sees healthy, and its direct links. */
  | { type: 'status'; id: number }
  /** Subscribe every device to `topic` and listen for `from`'s records and raw gossip. */
  | { type: 'listen'; id: number; topic: string; from: string }
  /** How many devices know as many `topic` subscribers as record subscribers. */
  | { type: 'subscribed'; id: number; topic: string }
  /** Wait for `key` on every device; `arrived` follows when all saw it. */
  | { type: 'arm'; id: number; kind: ArrivalKind; key: number }
  /** Give up on the armed key; the reply says how many devices are still missing it. */
  | { type: 'disarm'; id: number }
  /** Wall clock now, `performance.timeOrigin + performance.now()`. */
  | { type: 'clock'; id: number }
  /** Event-loop delay and CPU since the last reset; `reset` starts a new window. */
  | { type: 'load'; id: number; reset: boolean }

export type ToWorkerType = ToWorker['type']

export interface Status {
  known: number[]
  healthy: number[]
  direct: number[]
  /** Since `listen`: peer:leave events, and peer:status events to anything but healthy. */
  leaves: number
  unhealthy: number
}

export interface Load {
  lagP99Ms: number
  lagMaxMs: number
  cores: number
}

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; message: string }
  /** Every device of this worker saw `key`; `last` is the wall time of the last one. */
  | { type: 'arrived'; kind: ArrivalKind; key: number; last: number; count: number }

export class BadFleetMessageError extends Error {
  override name = 'BadFleetMessageError'
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const nums = (v: unknown): v is number[] => Array.isArray(v) && v.every(num)
const strs = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string')
const kind = (v: unknown): v is ArrivalKind => v === 'record' || v === 'raw'

function bad(what: string, v: unknown): never {
  throw new BadFleetMessageError(`${what} ${JSON.stringify(v)?.slice(0, 120)}`)
}

export function parseFromWorker(v: unknown): FromWorker {
  if (!isObject(v)) bad('a worker message must be an object:', v)
  if (v.type === 'ready' && num(v.pid)) return { type: 'ready', pid: v.pid }
  if (v.type === 'reply' && num(v.id)) {
    if (v.ok === true) return { type: 'reply', id: v.id, ok: true, value: v.value }
    if (v.ok === false && typeof v.message === 'string')
      return { type: 'reply', id: v.id, ok: false, message: v.message }
  }
  if (v.type === 'arrived' && kind(v.kind) && num(v.key) && num(v.last) && num(v.count))
    return { type: 'arrived', kind: v.kind, key: v.key, last: v.last, count: v.count }
  return bad('unknown worker message', v)
}

/** The tuning is passed through to createMesh(); only its shape is checked here. */
function tuning(v: unknown): WorkerTuning {
  if (!isObject(v)) return bad('bad tuning', v)
  const out: WorkerTuning = {}
  if (isObject(v.health)) out.health = v.health
  if (isObject(v.limits)) out.limits = v.limits
  return out
}

export function parseToWorker(v: unknown): ToWorker {
  if (!isObject(v) || !num(v.id)) return bad('unknown command', v)
  const id = v.id
  switch (v.type) {
    case 'grow':
      if (strs(v.names) && strs(v.bootstrap) && num(v.deadlineMs))
        return {
          type: 'grow',
          id,
          names: v.names,
          bootstrap: v.bootstrap,
          tuning: tuning(v.tuning),
          deadlineMs: v.deadlineMs
        }
      break
    case 'fleet':
      if (strs(v.ids)) return { type: 'fleet', id, ids: v.ids }
      break
    case 'listen':
      if (typeof v.topic === 'string' && typeof v.from === 'string')
        return { type: 'listen', id, topic: v.topic, from: v.from }
      break
    case 'subscribed':
      if (typeof v.topic === 'string') return { type: 'subscribed', id, topic: v.topic }
      break
    case 'arm':
      if (kind(v.kind) && num(v.key)) return { type: 'arm', id, kind: v.kind, key: v.key }
      break
    case 'load':
      if (typeof v.reset === 'boolean') return { type: 'load', id, reset: v.reset }
      break
    case 'status':
    case 'disarm':
    case 'clock':
      return { type: v.type, id }
  }
  return bad('bad command', v)
}

export function parseStatus(v: unknown): Status {
  if (isObject(v) && nums(v.known) && nums(v.healthy) && nums(v.direct) && num(v.leaves) && num(v.unhealthy))
    return { known: v.known, healthy: v.healthy, direct: v.direct, leaves: v.leaves, unhealthy: v.unhealthy }
  return bad('bad status', v)
}

export function parseLoad(v: unknown): Load {
  if (isObject(v) && num(v.lagP99Ms) && num(v.lagMaxMs) && num(v.cores))
    return { lagP99Ms: v.lagP99Ms, lagMaxMs: v.lagMaxMs, cores: v.cores }
  return bad('bad load', v)
}

export function parseNumber(v: unknown): number {
  return num(v) ? v : bad('not a number:', v)
}

export function parseStrings(v: unknown): string[] {
  return strs(v) ? v : bad('not a list of strings:', v)
}
