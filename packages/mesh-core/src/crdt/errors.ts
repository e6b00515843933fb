import { ErrorCode, MeshError } from '../errors.ts'

/**
 * A state, delta or digest that is not well formed: wrong shape, a bad field, or more
 * entries than the configured bound. The message names the field. Nothing was applied.
 */
export class InvalidCrdtStateError extends MeshError {
  override name = 'InvalidCrdtStateError'
  constructor(message: string) {
    super(ErrorCode.BAD_MESSAGE, message)
  }
}

/**
 * A remote timestamp further ahead of our wall clock than `maxDriftMs`. Accepting it would
 * drag every clock in the mesh forward, so it is refused and nothing was applied.
 */
export class ClockDriftError extends MeshError {
  override name = 'ClockDriftError'
  /** How far ahead of our wall clock the remote timestamp was, in ms. */
  readonly aheadMs: number
  constructor(message: string, aheadMs: number) {
    super(ErrorCode.BAD_MESSAGE, message)
    this.aheadMs = aheadMs
  }
}
