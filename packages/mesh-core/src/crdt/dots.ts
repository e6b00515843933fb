import { InvalidCrdtStateError } from './errors.ts'
import { expectArray, expectInteger, expectNode, expectTuple } from './parse.ts'

/**
 * A set of dots (node, counter) on the wire: per node, sorted disjoint inclusive ranges
 * flattened as `[start, end, start, end, …]`. Nodes are sorted, so equal sets encode
 * equally.
 */
export type DotRanges = Array<[node: string, ranges: number[]]>

type Range = [start: number, end: number]

/**
 * Dots kept as ranges, so a run of consecutive counters (the usual case: every tag a
 * node ever minted) costs one pair however long it is.
 */
export class DotSet {
  private readonly byNode = new Map<string, Range[]>()
  private count = 0

  /** How many ranges the set holds: its size in memory and on the wire. */
  get ranges(): number {
    return this.count
  }

  has(node: string, counter: number): boolean {
    const rs = this.byNode.get(node)
    if (rs === undefined) return false
    let lo = 0
    let hi = rs.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const [s, e] = rs[mid] as Range
      if (counter < s) hi = mid - 1
      else if (counter > e) lo = mid + 1
      else return true
    }
    return false
  }

  /** The highest counter held for `node`, or 0. */
  max(node: string): number {
    const rs = this.byNode.get(node)
    return rs?.[rs.length - 1]?.[1] ?? 0
  }

  nodes(): IterableIterator<string> {
    return this.byNode.keys()
  }

  add(node: string, counter: number): void {
    this.set(node, union(this.byNode.get(node) ?? [], [[counter, counter]]))
  }

  /** A new set holding the dots of both. */
  union(other: DotSet): DotSet {
    const out = this.copy()
    for (const [node, rs] of other.byNode) out.set(node, union(out.byNode.get(node) ?? [], rs))
    return out
  }

  /** A new set holding the dots of this one that `other` lacks. */
  subtract(other: DotSet): DotSet {
    const out = new DotSet()
    for (const [node, rs] of this.byNode) {
      const cut = other.byNode.get(node)
      out.set(node, cut === undefined ? rs : subtract(rs, cut))
    }
    return out
  }

  copy(): DotSet {
    const out = new DotSet()
    for (const [node, rs] of this.byNode) out.set(node, rs)
    return out
  }

  toRanges(): DotRanges {
    return [...this.byNode.keys()].sort().map((node) => [node, (this.byNode.get(node) ?? []).flat()])
  }

  static of(dots: Iterable<readonly [node: string, counter: number]>): DotSet {
    const counters = new Map<string, number[]>()
    for (const [node, counter] of dots) {
      const list = counters.get(node)
      if (list === undefined) counters.set(node, [counter])
      else list.push(counter)
    }
    const out = new DotSet()
    for (const [node, list] of counters) {
      list.sort((a, b) => a - b)
      out.set(
        node,
        union(
          [],
          list.map((c): Range => [c, c])
        )
      )
    }
    return out
  }

  /**
   * Validate untrusted ranges. Ranges may come unsorted or overlapping; they are
   * normalised. More than `maxRanges` pairs in all is refused.
   */
  static parse(v: unknown, path: string, maxRanges: number): DotSet {
    const list = expectArray(v, path, maxRanges)
    const out = new DotSet()
    const seen = new Set<string>()
    let pairs = 0
    for (let i = 0; i < list.length; i++) {
      const [nodeV, flatV] = expectTuple(list[i], `${path}[${i}]`, 2)
      const node = expectNode(nodeV, `${path}[${i}][0]`)
      if (seen.has(node))
        throw new InvalidCrdtStateError(`${path}[${i}] repeats node ${JSON.stringify(node)}`)
      seen.add(node)
      const flat = expectArray(flatV, `${path}[${i}][1]`, 2 * (maxRanges - pairs))
      if (flat.length % 2 !== 0) throw new InvalidCrdtStateError(`${path}[${i}][1] must hold start/end pairs`)
      pairs += flat.length / 2
      const rs: Range[] = []
      for (let j = 0; j < flat.length; j += 2) {
        const s = expectInteger(flat[j], `${path}[${i}][1][${j}]`, 1)
        const e = expectInteger(flat[j + 1], `${path}[${i}][1][${j + 1}]`, s)
        rs.push([s, e])
      }
      rs.sort((a, b) => a[0] - b[0])
      out.set(node, union([], rs))
    }
    return out
  }

  private set(node: string, rs: Range[]): void {
    this.count -= this.byNode.get(node)?.length ?? 0
    if (rs.length === 0) this.byNode.delete(node)
    else this.byNode.set(node, rs)
    this.count += rs.length
  }
}

/** Union of two lists of ranges, each sorted by start; the result is coalesced. */
function union(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    const x = a[i]
    const y = b[j]
    let next: Range
    if (y === undefined || (x !== undefined && x[0] <= y[0])) {
      next = x as Range
      i++
    } else {
      next = y
      j++
    }
    const last = out[out.length - 1]
    if (last !== undefined && next[0] <= last[1] + 1) {
      if (next[1] > last[1]) out[out.length - 1] = [last[0], next[1]]
    } else {
      out.push([next[0], next[1]])
    }
  }
  return out
}

/** The parts of sorted disjoint `a` outside sorted disjoint `b`. */
function subtract(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = []
  let j = 0
  for (const [s0, e] of a) {
    let s = s0
    while (j < b.length && (b[j] as Range)[1] < s) j++
    let k = j
    while (s <= e) {
      const cut = b[k]
      if (cut === undefined || cut[0] > e) {
        out.push([s, e])
        break
      }
      if (cut[0] > s) out.push([s, cut[0] - 1])
      s = cut[1] + 1
      k++
    }
  }
  return out
}
