/*
 * How often each built-in source re-reads its files by default. Reads (`sensor.read`) are
 * always fresh; these only bound how late a changed capability (a plugged camera, a battery
 * percent, a new thermal zone) is re-advertised.
 */
export const cpuSampleMs = 5_000
export const memorySampleMs = 10_000
export const storageSampleMs = 60_000
export const gpuSampleMs = 10_000
export const powerSampleMs = 10_000
export const thermalSampleMs = 5_000
export const iioSampleMs = 10_000
export const cameraSampleMs = 5_000
export const serialSampleMs = 5_000

/** The slowest and fastest sampling a config may ask for. */
export const minSampleMs = 100
export const maxSampleMs = 86_400_000

/** The advertised `load1` is rounded to this step, so small wiggles do not re-advertise. */
export const loadStep = 0.1

/** Free storage is re-advertised only when it moved by at least this much, or by `storageHysteresisRatio` of the total. */
export const storageHysteresisMb = 64
export const storageHysteresisRatio = 0.01

/** Capability lists (`serial`, `cameras`, `thermal`) hold at most this many names, as mesh-core allows. */
export const maxListLength = 32
/** Capability strings (`cpuModel`, `boardModel`) are cut to this length. */
export const maxStringLength = 128

export const bytesPerMb = 1_048_576
