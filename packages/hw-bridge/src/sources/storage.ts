import { statfs } from 'node:fs/promises'
import type { SensorInfo } from '../source.ts'
import { bytesPerMb, storageHysteresisMb, storageHysteresisRatio, storageSampleMs } from './constants.ts'
import { polledSource, reading, unavailable } from './polled.ts'
import type { PolledSource, SourceInit } from './polled.ts'

/** The part of `fs.statfs`'s answer the storage source uses. */
export interface FsStats {
  bsize: number
  blocks: number
  bavail: number
}

export interface StorageSourceInit extends SourceInit {
  /** The file system to measure. @default `root` */
  path?: string
  /** Swapped in by tests. @default `fs.promises.statfs` */
  statfs?: (path: string) => Promise<FsStats>
}

const freeSensor: SensorInfo = { id: 'storage.free', kind: 'storage', unit: 'MB' }

/**
 * `storage`: free space of the file system holding `path` (or `root`), as `fs.statfs` reports
 * it to an unprivileged process (`bavail`, not `bfree`).
 *
 * Capability: `storageMb`, the free MB. It is re-advertised only when it moved by at least
 * 64 MB or 1 % of the file system, so writing a log line does not churn the registry.
 * Sensor: `storage.free` in MB, always fresh.
 */
export function storageSource(init: StorageSourceInit = {}): PolledSource {
  const path = init.path ?? init.root ?? '/'
  const stat = init.statfs ?? statfs
  let advertised: number | undefined

  async function freeMb(): Promise<{ free: number; total: number } | undefined> {
    try {
      const s = await stat(path)
      const free = Math.floor((s.bavail * s.bsize) / bytesPerMb)
      const total = Math.floor((s.blocks * s.bsize) / bytesPerMb)
      return Number.isFinite(free) && free >= 0 ? { free, total } : undefined
    } catch {
      return undefined
    }
  }

  return polledSource('storage', init, storageSampleMs, {
    async scan(files) {
      const now = await freeMb()
      if (now === undefined) {
        files.problem(path, 'cannot statfs')
        advertised = undefined
        return { capabilities: {}, sensors: [] }
      }
      files.fixed(path, 'cannot statfs')
      const step = Math.max(storageHysteresisMb, now.total * storageHysteresisRatio)
      if (advertised === undefined || Math.abs(now.free - advertised) >= step) advertised = now.free
      return { capabilities: { storageMb: advertised }, sensors: [freeSensor] }
    },
    async read(sensor) {
      const now = await freeMb()
      if (now === undefined) throw unavailable('storage', sensor.id, path)
      return reading(sensor, now.free)
    }
  })
}
