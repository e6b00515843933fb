import { MAX_VALUE_DEPTH } from './constants.ts'
import { InvalidCrdtStateError } from './errors.ts'

/** Data that CBOR carries unchanged: what a CRDT may hold. Numbers must be finite. */
export type PlainValue =
  null | boolean | number | string | Uint8Array | PlainValue[] | { [key: string]: PlainValue }

/** Checks that an untrusted value (already known to be plain data) is a `T`. */
export type ValueGuard<T> = (value: unknown) => value is T

/**
 * Without a guard, inbound values are only checked to be plain data, which is sound only
 * when every plain value is a `T`. So a narrower `T` must bring its own guard.
 */
export type GuardOption<T> = [PlainValue] extends [T]
  ? {
      /** Checks inbound values beyond being plain data. @default accept any plain value */
      isValue?: ValueGuard<T>
    }
  : {
      /** Checks inbound values beyond being plain data; required unless `T` admits any plain value. */
      isValue: ValueGuard<T>
    }

/** Why `v` is not plain data, or `undefined`. `path` names it in the message. */
export function plainValueProblem(v: unknown, path = 'value'): string | undefined {
  return problem(v, path, 0)
}

function problem(v: unknown, path: string, depth: number): string | undefined {
  if (depth > MAX_VALUE_DEPTH) return `${path} is nested deeper than ${MAX_VALUE_DEPTH}`
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return undefined
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : `${path} is not a finite number`
  if (typeof v !== 'object') return `${path} is a ${typeof v}, not plain data`
  if (v instanceof Uint8Array) return undefined
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = problem(v[i], `${path}[${i}]`, depth + 1)
      if (p !== undefined) return p
    }
    return undefined
  }
  const proto: unknown = Object.getPrototypeOf(v)
  if (proto !== Object.prototype && proto !== null) return `${path} is not a plain object`
  for (const k of Object.keys(v)) {
    if (k === '__proto__') return `${path} has a __proto__ key`
    const p = problem((v as Record<string, unknown>)[k], `${path}.${k}`, depth + 1)
    if (p !== undefined) return p
  }
  return undefined
}

/**
 * A stable identity for plain data: canonical JSON with sorted object keys, and byte
 * strings as `h"<hex>"` so they never collide with arrays or objects. Throws
 * `InvalidCrdtStateError` for anything that is not plain data.
 */
export function canonicalKey(v: unknown): string {
  const p = plainValueProblem(v)
  if (p !== undefined) throw new InvalidCrdtStateError(p)
  return canonical(v as PlainValue)
}

function canonical(v: PlainValue): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v)
  if (v instanceof Uint8Array) {
    let hex = ''
    for (const b of v) hex += b.toString(16).padStart(2, '0')
    return `h"${hex}"`
  }
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  const keys = Object.keys(v).sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k] as PlainValue)}`).join(',')}}`
}

/**
 * Check an inbound or local value and copy it, so later changes to the caller's object
 * cannot change replica state behind the clock's back.
 */
export function admitValue<T>(v: unknown, guard: ValueGuard<T> | undefined, path: string): T {
  const p = plainValueProblem(v, path)
  if (p !== undefined) throw new InvalidCrdtStateError(p)
  if (guard !== undefined && !guard(v)) throw new InvalidCrdtStateError(`${path} is rejected by isValue`)
  return structuredClone(v) as T
}
