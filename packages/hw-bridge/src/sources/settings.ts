import * as rates from './constants.ts'

/*
 * The settings of the built-in sources, as the config file's `sources` entry gives them
 * (src/config.ts checks the file; this is the checked shape).
 */

/** One built-in source's settings. `"thermal": false` is short for `{ "enabled": false }`. */
export interface SourceConfig {
  /** @default true */
  enabled: boolean
  /** How often the source re-reads its files to notice changes, in ms (100 to 86 400 000). @default per source */
  sampleMs: number
}

export interface StorageSourceConfig extends SourceConfig {
  /** The file system whose free space becomes `storageMb`. @default `root` */
  path?: string
}

/** The built-in sources (see `src/sources/`), each enabled unless switched off. */
export interface SourcesConfig {
  /** Cores, model, load: `/proc/cpuinfo`, `/proc/loadavg`. @default { enabled: true, sampleMs: 5_000 } */
  cpu: SourceConfig
  /** `/proc/meminfo`. @default { enabled: true, sampleMs: 10_000 } */
  memory: SourceConfig
  /** Free space via statfs. @default { enabled: true, sampleMs: 60_000 } */
  storage: StorageSourceConfig
  /** `/dev/nvidia*`, `/dev/dri/*`. @default { enabled: true, sampleMs: 10_000 } */
  gpu: SourceConfig
  /** `/sys/class/power_supply`. @default { enabled: true, sampleMs: 10_000 } */
  power: SourceConfig
  /** `/sys/class/thermal`. @default { enabled: true, sampleMs: 5_000 } */
  thermal: SourceConfig
  /** `/sys/bus/iio/devices`. @default { enabled: true, sampleMs: 10_000 } */
  iio: SourceConfig
  /** `/dev/video*`. @default { enabled: true, sampleMs: 5_000 } */
  camera: SourceConfig
  /** `/dev/ttyUSB*`, `ttyACM*`, `ttyAMA*`, `ttyS*`, `serial*`. @default { enabled: true, sampleMs: 5_000 } */
  serial: SourceConfig
}

export type SourceName = keyof SourcesConfig

export const defaultSampleMs: Readonly<Record<SourceName, number>> = {
  cpu: rates.cpuSampleMs,
  memory: rates.memorySampleMs,
  storage: rates.storageSampleMs,
  gpu: rates.gpuSampleMs,
  power: rates.powerSampleMs,
  thermal: rates.thermalSampleMs,
  iio: rates.iioSampleMs,
  camera: rates.cameraSampleMs,
  serial: rates.serialSampleMs
}

/** Every built-in source, in the order `createSources` builds them. */
export const sourceNames = Object.keys(defaultSampleMs) as SourceName[]
