import type { Envelope } from './process.ts'

/** How long a gap in one sender's numbering may hold its later messages back. */
export const GAP_MS = 3_000

/** Where each sender's numbering stands, as it travels with a handed-off actor. */
export type InboxState = Array<[sender: string, expected: number]>

/**
 * Per-sender order for one actor. Every sender numbers what it sends to a pid from 0
 * (`q`, keyed by the sender's incarnation), so order survives paths that can overtake
 * each other: a message forwarded by an actor's old host and a later one sent straight
 * to its new host. Duplicates are dropped; a gap (a message lost with a broken link)
 * holds later messages for at most GAP_MS.
 */
export class Inbox {
  private readonly expected = new Map<string, number>()
  private readonly held = new Map<string, Map<number, Envelope>>()
  private gapTimer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly deliver: (e: Envelope) => void) {}

  accept(e: Envelope): void {
    if (e.q === undefined) return this.deliver(e)
    const exp = this.expected.get(e.sender) ?? 0
    if (e.q < exp) return this.duplicate(e)
    if (e.q > exp) {
      let h = this.held.get(e.sender)
      if (h === undefined) this.held.set(e.sender, (h = new Map<number, Envelope>()))
      if (h.has(e.q)) return this.duplicate(e)
      h.set(e.q, e)
      this.gapTimer ??= setTimeout(() => this.skipGaps(), GAP_MS)
      return
    }
    this.expected.set(e.sender, exp + 1)
    this.deliver(e)
    this.drain(e.sender)
  }

  private duplicate(e: Envelope): void {
    if (e.k === 'call') e.fail(new Error(`duplicate call ${e.sender}#${e.q}`))
  }

  private drain(sender: string): void {
    const h = this.held.get(sender)
    if (h === undefined) return
    let next = this.expected.get(sender) ?? 0
    for (let e = h.get(next); e !== undefined; e = h.get(next)) {
      h.delete(next)
      this.expected.set(sender, ++next)
      this.deliver(e)
    }
    if (h.size === 0) this.held.delete(sender)
    if (this.held.size === 0 && this.gapTimer !== undefined) {
      clearTimeout(this.gapTimer)
      this.gapTimer = undefined
    }
  }

  /** A gap outlived GAP_MS: the missing messages are lost; go on from the next held one. */
  private skipGaps(): void {
    this.gapTimer = undefined
    for (const [sender, h] of [...this.held]) {
      this.expected.set(sender, Math.min(...h.keys()))
      this.drain(sender)
    }
    if (this.held.size > 0) this.gapTimer = setTimeout(() => this.skipGaps(), GAP_MS)
  }

  /** Held messages, oldest first per sender, to travel with the actor. */
  takeHeld(): Envelope[] {
    const out: Envelope[] = []
    for (const h of this.held.values())
      out.push(...[...h.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e))
    this.held.clear()
    this.close()
    return out
  }

  state(): InboxState {
    return [...this.expected]
  }

  restore(s: InboxState): void {
    for (const [sender, n] of s) this.expected.set(sender, n)
  }

  close(): void {
    if (this.gapTimer !== undefined) clearTimeout(this.gapTimer)
    this.gapTimer = undefined
  }
}
