import { MAX_NODE_ID_LENGTH } from './constants.ts'
import { InvalidCrdtStateError } from './errors.ts'

/** Shape checks for untrusted input. Each throws `InvalidCrdtStateError` naming `path`. */

export function expectRecord(v: unknown, path: string, fields: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) {
    throw new InvalidCrdtStateError(`${path} must be a map`)
  }
  const allowed = new Set(fields)
  for (const k of Object.keys(v)) {
    if (!allowed.has(k)) throw new InvalidCrdtStateError(`${path} has unknown field ${JSON.stringify(k)}`)
  }
  for (const f of fields) {
    if (!Object.hasOwn(v, f)) throw new InvalidCrdtStateError(`${path}.${f} is missing`)
  }
  return v as Record<string, unknown>
}

export function expectArray(v: unknown, path: string, maxLength: number): unknown[] {
  if (!Array.isArray(v)) throw new InvalidCrdtStateError(`${path} must be an array`)
  if (v.length > maxLength) {
    throw new InvalidCrdtStateError(`${path} has ${v.length} items, the limit is ${maxLength}`)
  }
  return v
}

/** A fixed-length array (a tuple on the wire). */
export function expectTuple(v: unknown, path: string, length: number): unknown[] {
  if (!Array.isArray(v) || v.length !== length) {
    throw new InvalidCrdtStateError(`${path} must be an array of ${length}`)
  }
  return v
}

export function expectNode(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_NODE_ID_LENGTH) {
    throw new InvalidCrdtStateError(`${path} must be a node id of 1 to ${MAX_NODE_ID_LENGTH} characters`)
  }
  return v
}

/** A safe integer in [min, max]. */
export function expectInteger(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new InvalidCrdtStateError(`${path} must be an integer from ${min} to ${max}`)
  }
  return v
}
