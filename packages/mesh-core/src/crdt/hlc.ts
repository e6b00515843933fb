import { InvalidOptionsError } from '../errors.ts'
import { DEFAULT_MAX_DRIFT_MS, MAX_HLC_LOGICAL, MAX_NODE_ID_LENGTH } from './constants.ts'
import { ClockDriftError } from './errors.ts'
import { expectInteger, expectNode, expectRecord } from './parse.ts'

/**
 * A hybrid logical clock timestamp (Kulkarni et al., 2014). `wall` stays close to real
 * time in ms; `logical` orders events within one ms and across skewed clocks; `node`
 * breaks the remaining ties, so the order is total.
 */
export interface HlcTimestamp {
  wall: number
  logical: number
  node: string
}

export interface HlcInit {
  /** This replica's id, the tie-breaker of last resort. Unique per writer. */
  node: string
  /** The wall clock, in ms. Injectable for tests. @default Date.now */
  wallClock?: () => number
  /**
   * Remote timestamps further ahead of our wall clock than this are refused with
   * `ClockDriftError`. `Infinity` turns the guard off. @default 60_000
   */
  maxDriftMs?: number
}

/** Orders by wall, then logical, then node id. Negative when `a` is earlier. */
export function compareHlc(a: HlcTimestamp, b: HlcTimestamp): -1 | 0 | 1 {
  if (a.wall !== b.wall) return a.wall < b.wall ? -1 : 1
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1
  if (a.node !== b.node) return a.node < b.node ? -1 : 1
  return 0
}

/** Validate an untrusted timestamp. Throws `InvalidCrdtStateError` naming `path`. */
export function parseHlcTimestamp(v: unknown, path = 'timestamp'): HlcTimestamp {
  const r = expectRecord(v, path, ['wall', 'logical', 'node'])
  return {
    wall: expectInteger(r.wall, `${path}.wall`, 0),
    logical: expectInteger(r.logical, `${path}.logical`, 0, MAX_HLC_LOGICAL),
    node: expectNode(r.node, `${path}.node`)
  }
}

/**
 * A hybrid logical clock. `now()` stamps a local event; `receive()` merges a remote
 * stamp. Both return a timestamp greater than every one this clock issued or received
 * before, even when the wall clock steps backwards, so causally later writes win LWW
 * merges even against peers whose wall clocks run ahead (within `maxDriftMs`).
 */
export class Hlc {
  readonly node: string
  private readonly wallClock: () => number
  private readonly maxDriftMs: number
  private wall = 0
  private logical = 0

  constructor(init: HlcInit) {
    if (typeof init.node !== 'string' || init.node.length === 0 || init.node.length > MAX_NODE_ID_LENGTH) {
      throw new InvalidOptionsError(`node must be 1 to ${MAX_NODE_ID_LENGTH} characters`)
    }
    const maxDriftMs = init.maxDriftMs ?? DEFAULT_MAX_DRIFT_MS
    if (Number.isNaN(maxDriftMs) || maxDriftMs < 0) {
      throw new InvalidOptionsError('maxDriftMs must be a number >= 0')
    }
    this.node = init.node
    this.wallClock = init.wallClock ?? Date.now
    this.maxDriftMs = maxDriftMs
  }

  /** A timestamp for a local event. */
  now(): HlcTimestamp {
    const pt = this.physical()
    if (pt > this.wall) {
      this.wall = pt
      this.logical = 0
    } else {
      this.tick(this.logical)
    }
    return this.last()
  }

  /**
   * Merge a remote timestamp (already validated) and return a local timestamp greater
   * than it and than anything this clock issued. Throws `ClockDriftError`, changing
   * nothing, when the remote is more than `maxDriftMs` ahead of our wall clock.
   */
  receive(remote: HlcTimestamp): HlcTimestamp {
    const pt = this.physical()
    const aheadMs = remote.wall - pt
    if (aheadMs > this.maxDriftMs) {
      throw new ClockDriftError(
        `timestamp from ${remote.node} is ${aheadMs} ms ahead of our clock, the limit is ${this.maxDriftMs} ms`,
        aheadMs
      )
    }
    if (remote.logical >= MAX_HLC_LOGICAL) {
      throw new ClockDriftError(`timestamp from ${remote.node} has an exhausted logical counter`, aheadMs)
    }
    const wall = Math.max(this.wall, remote.wall, pt)
    if (wall === this.wall && wall === remote.wall) this.tick(Math.max(this.logical, remote.logical))
    else if (wall === this.wall) this.tick(this.logical)
    else if (wall === remote.wall) {
      this.wall = wall
      this.logical = remote.logical + 1
    } else {
      this.wall = wall
      this.logical = 0
    }
    return this.last()
  }

  /** The latest timestamp issued or received, without advancing the clock. */
  last(): HlcTimestamp {
    return { wall: this.wall, logical: this.logical, node: this.node }
  }

  /** Step past `logical` in the current ms; borrow the next ms if the counter is exhausted. */
  private tick(logical: number): void {
    if (logical + 1 > MAX_HLC_LOGICAL) {
      this.wall += 1
      this.logical = 0
    } else {
      this.logical = logical + 1
    }
  }

  private physical(): number {
    const t = Math.floor(this.wallClock())
    return Number.isSafeInteger(t) && t >= 0 ? t : 0
  }
}
