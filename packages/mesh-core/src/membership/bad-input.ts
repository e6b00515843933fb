import { BAD_INPUT_HANGUP } from '../constants.ts'
import type { Logger } from '../log.ts'

/** Counts the bad input each peer sent (malformed frames, forged records) and hangs up on repeat offenders. */
export class BadInput {
  private readonly counts = new Map<string, number>()

  constructor(
    private readonly log: Logger,
    private readonly hangUp: (peer: string) => void
  ) {}

  penalise(peer: string, err: Error): void {
    const n = (this.counts.get(peer) ?? 0) + 1
    this.counts.set(peer, n)
    this.log('bad input #%d from %s: %s', n, peer, err.message)
    if (n % BAD_INPUT_HANGUP === 0) {
      this.log('hanging up on %s after %d bad frames', peer, n)
      this.hangUp(peer)
    }
  }

  stats(): { badInput: number; badInputByPeer: Record<string, number> } {
    let total = 0
    for (const n of this.counts.values()) total += n
    return { badInput: total, badInputByPeer: Object.fromEntries(this.counts) }
  }
}
