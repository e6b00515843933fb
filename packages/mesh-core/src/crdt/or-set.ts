import { InvalidOptionsError, TooLargeError } from '../errors.ts'
import { DEFAULT_MAX_ELEMENTS, DEFAULT_MAX_TOMBSTONE_RANGES, MAX_NODE_ID_LENGTH } from './constants.ts'
import { DotSet } from './dots.ts'
import type { DotRanges } from './dots.ts'
import { InvalidCrdtStateError } from './errors.ts'
import { expectArray, expectInteger, expectNode, expectRecord, expectTuple } from './parse.ts'
import { admitValue, canonicalKey } from './value.ts'
import type { GuardOption, PlainValue, ValueGuard } from './value.ts'

/**
 * The whole set as plain data. `live` holds the tagged adds not yet removed, grouped by
 * the node that minted the tag: `[node, [[counter, value], …]]`. `removed` holds every
 * tag known to be removed, as ranges. A delta has the same shape: a fragment of a state.
 */
export interface OrSetState<T> {
  live: Array<[node: string, entries: Array<[counter: number, value: T]>]>
  removed: DotRanges
}
export type OrSetDelta<T> = OrSetState<T>

/**
 * For anti-entropy: every tag this replica has seen (live or removed) and every tag it
 * knows to be removed, as ranges. Usually a few numbers per node, whatever the set holds.
 */
export interface OrSetDigest {
  seen: DotRanges
  removed: DotRanges
}

export type OrSetInit<T> = {
  /**
   * This replica's id; tags are `(node, counter)`. A replica that restarts without its
   * state must take a new id (or load its state first) so it never reuses a tag.
   */
  node: string
  /** Identifies elements: values with equal keys are one element. @default canonicalKey */
  key?: (value: T) => string
  /** Live tags held, and tags one state or delta may carry. @default 10_000 */
  maxElements?: number
  /** Ranges of removed tags held, and ranges one state, delta or digest may carry. @default 10_000 */
  maxTombstoneRanges?: number
} & GuardOption<T>

interface Entry<T> {
  node: string
  counter: number
  value: T
  key: string
}

/** A state or delta after validation. */
interface Parsed<T> {
  entries: Entry<T>[]
  removed: DotSet
}

/**
 * An add-wins observed-remove set (Shapiro et al., 2011). Each add mints a unique tag;
 * a remove tombstones the tags it observed, so an add concurrent with a remove survives,
 * and a removed tag never comes back, whatever is merged later. Tombstones are kept as
 * ranges per node, so they stay small when removes follow adds.
 *
 * Merges are joins (commutative, associative, idempotent), and so is applying a delta:
 * deltas may arrive in any order, more than once.
 */
export class OrSet<T = PlainValue> {
  readonly node: string
  private readonly keyOf: (value: T) => string
  private readonly isValue: ValueGuard<T> | undefined
  private readonly maxElements: number
  private readonly maxTombstoneRanges: number
  /** Live entries by tag. */
  private readonly live = new Map<string, Entry<T>>()
  /** Live entries by element key, then by tag. */
  private readonly byKey = new Map<string, Map<string, Entry<T>>>()
  private removed = new DotSet()
  private counter = 0

  constructor(init: OrSetInit<T>) {
    if (typeof init.node !== 'string' || init.node.length === 0 || init.node.length > MAX_NODE_ID_LENGTH) {
      throw new InvalidOptionsError(`node must be 1 to ${MAX_NODE_ID_LENGTH} characters`)
    }
    this.node = init.node
    this.keyOf = init.key ?? canonicalKey
    this.isValue = init.isValue
    this.maxElements = positive(init.maxElements ?? DEFAULT_MAX_ELEMENTS, 'maxElements')
    this.maxTombstoneRanges = positive(
      init.maxTombstoneRanges ?? DEFAULT_MAX_TOMBSTONE_RANGES,
      'maxTombstoneRanges'
    )
  }

  /**
   * Rebuild a set from untrusted state. Throws `InvalidCrdtStateError`, or
   * `TooLargeError` when it breaks this replica's bounds.
   */
  static fromState<T = PlainValue>(state: unknown, init: OrSetInit<T>): OrSet<T> {
    const set = new OrSet<T>(init)
    set.join(set.parse(state, 'or-set state'))
    return set
  }

  /** How many distinct elements the set holds. */
  get size(): number {
    return this.byKey.size
  }

  has(value: T): boolean {
    return this.byKey.has(this.keyOf(value))
  }

  /**
   * The elements, ordered by key, so converged replicas list them alike. Where several
   * live adds share a key (possible with a custom `key`), the one with the highest tag
   * (counter, then node) stands for it. Treat the values as read-only.
   */
  values(): T[] {
    const keys = [...this.byKey.keys()].sort()
    return keys.map((k) => {
      let best: Entry<T> | undefined
      for (const e of this.byKey.get(k)?.values() ?? []) if (best === undefined || tagAfter(e, best)) best = e
      return (best as Entry<T>).value
    })
  }

  /**
   * Add locally; returns the delta to broadcast. The new tag supersedes the tags of the
   * element this replica has seen. Throws `InvalidCrdtStateError` for a value that is not
   * plain data, `TooLargeError` when the set is full.
   */
  add(value: T): OrSetDelta<T> {
    const v = admitValue(value, this.isValue, 'value')
    const key = this.keyOf(v)
    if (this.counter >= Number.MAX_SAFE_INTEGER) throw new TooLargeError('tag counter exhausted')
    const delta: Parsed<T> = {
      entries: [{ node: this.node, counter: this.counter + 1, value: v, key }],
      removed: this.observed(key)
    }
    this.join(delta)
    return encode(delta.entries, delta.removed)
  }

  /** Remove the tags of `value` this replica has seen; returns the delta to broadcast. */
  remove(value: T): OrSetDelta<T> {
    const delta: Parsed<T> = { entries: [], removed: this.observed(this.keyOf(value)) }
    this.join(delta)
    return encode(delta.entries, delta.removed)
  }

  /**
   * Apply an untrusted delta (or state). Returns whether this replica learnt anything.
   * Throws `InvalidCrdtStateError`, or `TooLargeError` when the result would break the
   * bounds; either way nothing changes.
   */
  applyDelta(delta: unknown): boolean {
    return this.join(this.parse(delta, 'or-set delta'))
  }

  /** Merge another replica into this one. Returns whether this replica learnt anything. */
  merge(other: OrSet<T>): boolean {
    // Keys are recomputed: the other replica may have been built with another key function.
    const entries = [...other.live.values()].map((e) => ({ ...e, key: this.keyOf(e.value) }))
    return this.join({ entries, removed: other.removed })
  }

  /** The set as plain data, ready for CBOR. */
  state(): OrSetState<T> {
    return encode(this.live.values(), this.removed)
  }

  /** A compact summary for anti-entropy: send it to a peer, which answers with `missing()`. */
  digest(): OrSetDigest {
    const seen = DotSet.of([...this.live.values()].map((e) => [e.node, e.counter] as const)).union(
      this.removed
    )
    return { seen: seen.toRanges(), removed: this.removed.toRanges() }
  }

  /**
   * The delta a replica with digest `remote` lacks: live entries whose tags it has not
   * seen, and removed tags it does not know are removed. Applying it there brings that
   * replica up to date with this one. Throws `InvalidCrdtStateError` for a bad digest.
   */
  missing(remote: unknown): OrSetDelta<T> {
    const r = expectRecord(remote, 'or-set digest', ['seen', 'removed'])
    const seen = DotSet.parse(r.seen, 'or-set digest.seen', this.maxElements + this.maxTombstoneRanges)
    const removed = DotSet.parse(r.removed, 'or-set digest.removed', this.maxTombstoneRanges)
    const entries = [...this.live.values()].filter((e) => !seen.has(e.node, e.counter))
    return encode(entries, this.removed.subtract(removed))
  }

  /** The tags of element `key` held live here. */
  private observed(key: string): DotSet {
    const tags = this.byKey.get(key)
    return DotSet.of(tags === undefined ? [] : [...tags.values()].map((e) => [e.node, e.counter] as const))
  }

  /** Join a validated state or delta into this one: all or nothing. */
  private join(p: Parsed<T>): boolean {
    const fresh = p.removed.subtract(this.removed)
    const removed = fresh.ranges === 0 ? this.removed : this.removed.union(fresh)
    if (removed.ranges > this.maxTombstoneRanges) {
      throw new TooLargeError(`${removed.ranges} tombstone ranges, the limit is ${this.maxTombstoneRanges}`)
    }
    const drop: Entry<T>[] = []
    if (fresh.ranges > 0) for (const e of this.live.values()) if (fresh.has(e.node, e.counter)) drop.push(e)
    const put: Entry<T>[] = []
    let added = 0
    for (const e of p.entries) {
      if (removed.has(e.node, e.counter)) continue
      const cur = this.live.get(tagKey(e))
      if (cur === undefined) added++
      // Only a broken peer mints one tag twice; keep the smaller value so replicas agree.
      else if (canonicalKey(e.value) >= canonicalKey(cur.value)) continue
      put.push(e)
    }
    const size = this.live.size - drop.length + added
    if (size > this.maxElements) {
      throw new TooLargeError(`${size} live elements, the limit is ${this.maxElements}`)
    }
    this.removed = removed
    for (const e of drop) this.unlink(e)
    for (const e of put) this.link(e)
    // Never reuse a tag a peer has seen from us, even if our own state was lost.
    this.counter = Math.max(this.counter, removed.max(this.node))
    for (const e of put) if (e.node === this.node && e.counter > this.counter) this.counter = e.counter
    return fresh.ranges > 0 || put.length > 0
  }

  private link(e: Entry<T>): void {
    const tag = tagKey(e)
    const cur = this.live.get(tag)
    if (cur !== undefined) this.unlink(cur)
    this.live.set(tag, e)
    const tags = this.byKey.get(e.key)
    if (tags === undefined) this.byKey.set(e.key, new Map([[tag, e]]))
    else tags.set(tag, e)
  }

  private unlink(e: Entry<T>): void {
    const tag = tagKey(e)
    this.live.delete(tag)
    const tags = this.byKey.get(e.key)
    tags?.delete(tag)
    if (tags?.size === 0) this.byKey.delete(e.key)
  }

  private parse(v: unknown, path: string): Parsed<T> {
    const r = expectRecord(v, path, ['live', 'removed'])
    const groups = expectArray(r.live, `${path}.live`, this.maxElements)
    const entries: Entry<T>[] = []
    const nodes = new Set<string>()
    for (let i = 0; i < groups.length; i++) {
      const at = `${path}.live[${i}]`
      const [nodeV, listV] = expectTuple(groups[i], at, 2)
      const node = expectNode(nodeV, `${at}[0]`)
      if (nodes.has(node)) throw new InvalidCrdtStateError(`${at} repeats node ${JSON.stringify(node)}`)
      nodes.add(node)
      const list = expectArray(listV, `${at}[1]`, this.maxElements - entries.length)
      const counters = new Set<number>()
      for (let j = 0; j < list.length; j++) {
        const [counterV, valueV] = expectTuple(list[j], `${at}[1][${j}]`, 2)
        const counter = expectInteger(counterV, `${at}[1][${j}][0]`, 1)
        if (counters.has(counter)) throw new InvalidCrdtStateError(`${at}[1][${j}] repeats tag ${counter}`)
        counters.add(counter)
        const value = admitValue(valueV, this.isValue, `${at}[1][${j}][1]`)
        entries.push({ node, counter, value, key: this.keyOf(value) })
      }
    }
    return { entries, removed: DotSet.parse(r.removed, `${path}.removed`, this.maxTombstoneRanges) }
  }
}

function encode<T>(entries: Iterable<Entry<T>>, removed: DotSet): OrSetState<T> {
  const byNode = new Map<string, Entry<T>[]>()
  for (const e of entries) {
    const list = byNode.get(e.node)
    if (list === undefined) byNode.set(e.node, [e])
    else list.push(e)
  }
  const live = [...byNode.keys()]
    .sort()
    .map((node): [string, Array<[number, T]>] => [
      node,
      (byNode.get(node) ?? [])
        .sort((a, b) => a.counter - b.counter)
        .map((e): [number, T] => [e.counter, e.value])
    ])
  return { live, removed: removed.toRanges() }
}

function tagKey(e: { node: string; counter: number }): string {
  // The counter has no '/', so the first one ends it, whatever the node id holds.
  return `${e.counter}/${e.node}`
}

function tagAfter(a: Entry<unknown>, b: Entry<unknown>): boolean {
  return a.counter !== b.counter ? a.counter > b.counter : a.node > b.node
}

function positive(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidOptionsError(`${name} must be a positive integer`)
  return n
}
