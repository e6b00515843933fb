import type { SourceLog } from '../source.ts'
import { cameraSource } from './camera.ts'
import { cpuSource } from './cpu.ts'
import { gpuSource } from './gpu.ts'
import { iioSource } from './iio.ts'
import { memorySource } from './memory.ts'
import type { PolledSource, SourceInit } from './polled.ts'
import { powerSource } from './power.ts'
import { serialSource } from './serial.ts'
import { defaultSampleMs, sourceNames } from './settings.ts'
import type { SourceName, SourcesConfig, StorageSourceConfig } from './settings.ts'
import { storageSource } from './storage.ts'
import { thermalSource } from './thermal.ts'

export { cameraSource } from './camera.ts'
export { cpuSource, parseCpuinfo, parseLoadavg } from './cpu.ts'
export { gpuSource } from './gpu.ts'
export { iioSource } from './iio.ts'
export { applyScale, channelsOf, iioTypes } from './iio-channels.ts'
export { memorySource, parseMeminfo } from './memory.ts'
export { powerSource } from './power.ts'
export { serialSource } from './serial.ts'
export { defaultSampleMs, sourceNames } from './settings.ts'
export { storageSource } from './storage.ts'
export { thermalSource } from './thermal.ts'
export type { CpuInfo } from './cpu.ts'
export type { IioChannel, IioType } from './iio-channels.ts'
export type { MemInfo } from './memory.ts'
export type { PolledSource, SourceInit } from './polled.ts'
export type { SourceConfig, SourceName, SourcesConfig, StorageSourceConfig } from './settings.ts'
export type { FsStats, StorageSourceInit } from './storage.ts'

/** What `createSources` needs besides the config. */
export interface CreateSourcesOptions {
  /** The file-system root the sources read under. @default '/' */
  root?: string
  /** @default a no-op */
  log?: SourceLog
}

/** Every built-in source, by its config name. */
export const sourceFactories: Record<SourceName, (init: SourceInit & { path?: string }) => PolledSource> = {
  cpu: cpuSource,
  memory: memorySource,
  storage: storageSource,
  gpu: gpuSource,
  power: powerSource,
  thermal: thermalSource,
  iio: iioSource,
  camera: cameraSource,
  serial: serialSource
}

/**
 * The enabled built-in sources, in a fixed order (cpu, memory, storage, gpu, power, thermal,
 * iio, camera, serial). A source missing from `config.sources` is enabled with its default rate.
 */
export function createSources(
  config: { sources?: Partial<SourcesConfig> },
  options: CreateSourcesOptions = {}
): PolledSource[] {
  const sources: PolledSource[] = []
  for (const name of sourceNames) {
    const settings: Partial<StorageSourceConfig> = config.sources?.[name] ?? {}
    if (settings.enabled === false) continue
    const init: SourceInit & { path?: string } = { sampleMs: settings.sampleMs ?? defaultSampleMs[name] }
    if (options.root !== undefined) init.root = options.root
    if (options.log !== undefined) init.log = options.log
    if (settings.path !== undefined) init.path = settings.path
    sources.push(sourceFactories[name](init))
  }
  return sources
}
