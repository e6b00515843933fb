/**
 * A driver answered a call with `{"type":"error"}`: the task itself failed. Timeouts and
 * a driver that is down reject with `SensorError` (`TIMEOUT`, `UNAVAILABLE`) instead.
 */
export class DriverError extends Error {
  constructor(
    message: string,
    /** The driver's name, from its config. */
    readonly driver: string,
    /** The driver's own error code, when it sent one. */
    readonly code: string | undefined
  ) {
    super(message)
    this.name = 'DriverError'
  }
}
