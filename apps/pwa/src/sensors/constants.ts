/** Limits of the sensor tasks (`camera.capture`, `sensor.read`, `sensor.stream`). */

/** `sensor.stream` never samples faster than this, whatever the caller asks. */
export const maxRateHz = 60
/** Nor slower: below this a stream is better served by `sensor.read`. */
export const minRateHz = 0.1
export const defaultRateHz = 10
export const defaultStreamDurationMs = 10_000
/** The longest stream one task may run; a caller streams again for more. */
export const maxStreamDurationMs = 600_000
export const defaultMaxSamples = 1_000
export const maxStreamSamples = 36_000

export const defaultCaptureWidth = 640
export const minCaptureWidth = 32
export const maxCaptureWidth = 1_920
export const defaultJpegQuality = 0.8
/** A capture larger than this is encoded again at lower quality, then refused. */
export const maxJpegBytes = 512 * 1024

/** How often sources without events of their own (the microphone level) sample. */
export const pollIntervalMs = 50
/** The microphone level maps this range of dBFS onto 0..1. */
export const silenceDbfs = -60

/** How long the camera may take to deliver its first frame. */
export const firstFrameTimeoutMs = 5_000
