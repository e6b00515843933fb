import { Token, Type, decode, encode } from 'cborg'
import { BadMessageError } from '../errors.ts'

/** The deepest nesting accepted in an inbound value. */
export const MAX_DEPTH = 32

const decodeOptions = {
  allowUndefined: false,
  allowIndefinite: false,
  allowBigInt: false,
  allowInfinity: false,
  allowNaN: false,
  rejectDuplicateMapKeys: true,
  strict: true
}

/** `undefined` has no place on the wire (decoding refuses it): it goes as null, as in JSON. */
const encodeOptions = { typeEncoders: { undefined: () => [new Token(Type.null, null)] } }

export function encodeCbor(value: unknown): Uint8Array {
  return encode(value, encodeOptions)
}

/**
 * Decode untrusted CBOR. Throws `BadMessageError` for malformed input, values nested
 * deeper than `MAX_DEPTH`, and `__proto__` keys.
 */
export function decodeCbor(bytes: Uint8Array): unknown {
  let value: unknown
  try {
    value = decode(bytes, decodeOptions)
  } catch (err) {
    throw new BadMessageError(`malformed CBOR: ${(err as Error).message}`)
  }
  checkShape(value, 0)
  return value
}

function checkShape(v: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new BadMessageError('value nested too deeply')
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return
  if (Array.isArray(v)) {
    for (const x of v) checkShape(x, depth + 1)
    return
  }
  for (const k of Object.keys(v)) {
    if (k === '__proto__') throw new BadMessageError('forbidden key __proto__')
    checkShape((v as Record<string, unknown>)[k], depth + 1)
  }
}
