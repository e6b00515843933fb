/** One class per failure, `name` equal to the class name (STYLE.md); tests assert on `name`. */

/** A sensor task's arguments are malformed or out of range. */
export class InvalidSensorArgsError extends Error {
  override name = 'InvalidSensorArgsError'
}

/** The sensor exists but is switched off on this peer (its capability is withdrawn). */
export class SensorOffError extends Error {
  override name = 'SensorOffError'
}

/** No such sensor here, or this browser lacks the API. */
export class SensorUnavailableError extends Error {
  override name = 'SensorUnavailableError'
}

/** The user or the browser refused the permission. */
export class SensorPermissionError extends Error {
  override name = 'SensorPermissionError'
}

/** A capture stayed over the size limit even at the lowest quality. */
export class CaptureTooLargeError extends Error {
  override name = 'CaptureTooLargeError'
}

/** A peer answered a sensor task with something that is not the documented shape. */
export class BadSensorReplyError extends Error {
  override name = 'BadSensorReplyError'
}
