import type { Logger } from '../log.ts'
import type { PeerRecord, RecordState } from './record.ts'
import type { Registry } from './registry.ts'

export type OwnFields = Omit<PeerRecord, 'peer' | 'seq'>

/** Our own record: what goes in it, in which state, and when it is published again. */
export class SelfRecord {
  private readonly registry: Registry
  private readonly log: Logger
  private readonly fieldsFor: (state: RecordState) => OwnFields
  private current: RecordState = 'up'
  private queued = false
  stopped = false

  constructor(registry: Registry, log: Logger, fieldsFor: (state: RecordState) => OwnFields) {
    this.registry = registry
    this.log = log
    this.fieldsFor = fieldsFor
  }

  get state(): RecordState {
    return this.current
  }

  /** The fields we would publish now. */
  fields(): OwnFields {
    return this.fieldsFor(this.current)
  }

  async publish(state: RecordState = this.current): Promise<void> {
    if (this.stopped && state !== 'leaving') return
    this.current = state
    await this.registry.publishSelf(this.fieldsFor(state))
  }

  /** Publish without a caller to tell: a failure is logged, never an unhandled rejection. */
  publishInBackground(state?: RecordState): void {
    this.publish(state).catch((err: unknown) =>
      this.log.error('publishing our record failed: %s', (err as Error).message)
    )
  }

  /** Coalesce republishing when several things change in one tick. */
  republishSoon(): void {
    if (this.queued || this.stopped) return
    this.queued = true
    queueMicrotask(() => {
      this.queued = false
      this.publishInBackground()
    })
  }
}
