import { compareHlc, parseHlcTimestamp } from './hlc.ts'
import type { Hlc, HlcTimestamp } from './hlc.ts'
import { expectRecord } from './parse.ts'
import { admitValue, canonicalKey } from './value.ts'
import type { GuardOption, PlainValue, ValueGuard } from './value.ts'

/** A value and the time it was written. */
export interface LwwEntry<T> {
  ts: HlcTimestamp
  value: T
}

/** The whole register as plain data; `null` when it was never set. */
export type LwwRegisterState<T> = LwwEntry<T> | null
/** What `set()` returns to broadcast: the new entry. A delta is also a valid state. */
export type LwwRegisterDelta<T> = LwwEntry<T>
/** For anti-entropy: the timestamp of the entry held, or `null`. */
export type LwwRegisterDigest = HlcTimestamp | null

export type LwwRegisterInit<T> = {
  /** Stamps local writes and absorbs remote ones. Share one clock among a replica's CRDTs. */
  clock: Hlc
} & GuardOption<T>

/**
 * A last-writer-wins register. The entry with the greatest HLC timestamp wins; equal
 * timestamps (only a broken peer reuses one) fall back to the greater canonical value, so
 * merges stay commutative whatever arrives.
 *
 * Values are plain data, copied on the way in; treat what `value` returns as read-only.
 */
export class LwwRegister<T = PlainValue> {
  private readonly clock: Hlc
  private readonly isValue: ValueGuard<T> | undefined
  private entry: LwwEntry<T> | null = null

  constructor(init: LwwRegisterInit<T>) {
    this.clock = init.clock
    this.isValue = init.isValue
  }

  /** Rebuild a register from untrusted state. Throws `InvalidCrdtStateError` or `ClockDriftError`. */
  static fromState<T = PlainValue>(state: unknown, init: LwwRegisterInit<T>): LwwRegister<T> {
    const reg = new LwwRegister<T>(init)
    if (state !== null) reg.join(reg.parse(state, 'lww state'))
    return reg
  }

  /** The current value, or `undefined` when never set. */
  get value(): T | undefined {
    return this.entry?.value
  }

  /** When the current value was written, or `undefined` when never set. */
  get timestamp(): HlcTimestamp | undefined {
    return this.entry === null ? undefined : { ...this.entry.ts }
  }

  /** Write locally. Returns the delta to broadcast. Throws `InvalidCrdtStateError` for non-plain data. */
  set(value: T): LwwRegisterDelta<T> {
    const admitted = admitValue(value, this.isValue, 'value')
    const entry = { ts: this.clock.now(), value: admitted }
    this.entry = entry
    return { ts: { ...entry.ts }, value: entry.value }
  }

  /**
   * Apply an untrusted delta (or state). Returns whether the value changed. Throws
   * `InvalidCrdtStateError` or `ClockDriftError`, changing nothing.
   */
  applyDelta(delta: unknown): boolean {
    return this.join(this.parse(delta, 'lww delta'))
  }

  /** Merge another replica's register into this one. Returns whether the value changed. */
  merge(other: LwwRegister<T>): boolean {
    return other.entry === null ? false : this.join(other.entry)
  }

  /** The register as plain data, ready for CBOR. */
  state(): LwwRegisterState<T> {
    return this.entry === null ? null : { ts: { ...this.entry.ts }, value: this.entry.value }
  }

  /** What a peer needs to tell whether we hold something newer than it does. */
  digest(): LwwRegisterDigest {
    return this.entry === null ? null : { ...this.entry.ts }
  }

  /**
   * The delta a peer with digest `remote` lacks, or `undefined` when it is up to date.
   * Throws `InvalidCrdtStateError` for a malformed digest.
   */
  missing(remote: unknown): LwwRegisterDelta<T> | undefined {
    const ts = remote === null ? null : parseHlcTimestamp(remote, 'lww digest')
    if (this.entry === null) return undefined
    if (ts !== null && compareHlc(this.entry.ts, ts) <= 0) return undefined
    return this.state() ?? undefined
  }

  private parse(v: unknown, path: string): LwwEntry<T> {
    const r = expectRecord(v, path, ['ts', 'value'])
    const ts = parseHlcTimestamp(r.ts, `${path}.ts`)
    return { ts, value: admitValue(r.value, this.isValue, `${path}.value`) }
  }

  private join(incoming: LwwEntry<T>): boolean {
    // Absorb the remote time first, so a later local write orders after it; a drifting
    // clock throws here, before anything changes.
    this.clock.receive(incoming.ts)
    if (this.entry !== null && !wins(incoming, this.entry)) return false
    this.entry = { ts: { ...incoming.ts }, value: incoming.value }
    return true
  }
}

function wins<T>(a: LwwEntry<T>, b: LwwEntry<T>): boolean {
  const c = compareHlc(a.ts, b.ts)
  if (c !== 0) return c > 0
  return canonicalKey(a.value) > canonicalKey(b.value)
}
