/**
 * Waits for one event from each of a set of peers, and says when the last one came.
 * A fan-out measurement is "until every peer has it": the time of the last hit.
 */
export class Latch {
  private readonly pending: Set<string>
  private readonly what: string
  private last = 0
  /** The peer that hit last. */
  lastId = ''
  private settle: (() => void) | undefined
  private readonly whenAll: Promise<void>
  /** What each hit said, in arrival order (for example how a peer learnt of a death). */
  readonly details: string[] = []

  constructor(ids: Iterable<string>, what: string) {
    this.pending = new Set(ids)
    this.what = what
    this.whenAll = new Promise<void>((resolve) => {
      this.settle = resolve
    })
    if (this.pending.size === 0) this.settle?.()
  }

  /** `id` saw it now. Later hits from the same peer are ignored. */
  hit(id: string, detail?: string): void {
    if (!this.pending.delete(id)) return
    this.last = performance.now()
    this.lastId = id
    if (detail !== undefined) this.details.push(detail)
    if (this.pending.size === 0) this.settle?.()
  }

  get missing(): number {
    return this.pending.size
  }

  /** Resolves with the time of the last hit; rejects when `ms` pass first. */
  async done(ms: number): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.what}: ${this.pending.size} peers still waiting after ${ms} ms`)),
        ms
      )
    })
    try {
      await Promise.race([this.whenAll, deadline])
      return this.last
    } finally {
      clearTimeout(timer)
    }
  }
}
