import { hostname } from 'node:os'
import type { Mesh, TaskContext, TaskHandler } from 'mesh-core'
import type { AllowList } from './allow.ts'
import { captureJpeg } from './camera.ts'
import { hostCapabilities } from './host.ts'
import type { SourceHub } from './hub.ts'
import { SensorError } from './source.ts'
import type { Reading } from './source.ts'

/** `sensor.stream` never samples faster than this. */
export const MAX_STREAM_HZ = 100
export const DEFAULT_STREAM_HZ = 10
/** A stream ends after this long unless asked for less. */
export const MAX_STREAM_MS = 3_600_000
export const DEFAULT_STREAM_MS = 10_000
export const MAX_STREAM_SAMPLES = 1_000_000
/** A stream fails after this many reads in a row failed. */
const STREAM_FAILURES = 3

export interface TaskDeps {
  mesh: Mesh
  hub: SourceHub
  allow: AllowList
  /** ffmpeg's path when it is installed, and the V4L2 devices there are (absolute paths). */
  camera: { ffmpeg: string; devices: () => string[] } | undefined
  /** Each call's outcome, for the metrics. */
  observe(task: string, outcome: 'ok' | 'error' | 'forbidden', ms: number): void
  startedAt: number
}

function bad(msg: string): never {
  throw new SensorError(msg, 'BAD_VALUE')
}

function sensorArg(args: unknown): string {
  const s = (args as { sensor?: unknown } | null)?.sensor
  if (typeof s !== 'string' || s.length === 0 || s.length > 200)
    bad('args.sensor must name a sensor (see sensor.list)')
  return s
}

function optNumber(args: unknown, key: string, min: number, max: number): number | undefined {
  const v = (args as Record<string, unknown> | null)?.[key]
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    bad(`args.${key} must be a number from ${min} to ${max}`)
  return v
}

/** Wait `ms`, or less if `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done(): void {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done)
  })
}

/** Samples of one sensor at a steady rate, until the duration, the count or the caller ends it. */
export async function streamSensor(
  hub: SourceHub,
  args: unknown,
  ctx: Pick<TaskContext, 'emit' | 'signal'>
): Promise<{ sensor: string; samples: number; rateHz: number }> {
  const sensor = sensorArg(args)
  const asked = optNumber(args, 'rateHz', 0.001, Number.MAX_VALUE) ?? DEFAULT_STREAM_HZ
  const rateHz = Math.min(asked, MAX_STREAM_HZ)
  const durationMs = optNumber(args, 'durationMs', 1, MAX_STREAM_MS) ?? DEFAULT_STREAM_MS
  const maxSamples = optNumber(args, 'maxSamples', 1, MAX_STREAM_SAMPLES) ?? MAX_STREAM_SAMPLES
  // Unknown sensors fail at once rather than after three periods.
  if (!hub.sensors().some((s) => s.id === sensor))
    throw new SensorError(`no sensor "${sensor}" on this device`, 'NOT_FOUND')
  const period = 1_000 / rateHz
  const start = performance.now()
  let next = start
  let samples = 0
  let failures = 0
  while (!ctx.signal.aborted && samples < maxSamples && performance.now() - start < durationMs) {
    try {
      const r: Reading = await hub.read(sensor, ctx.signal)
      failures = 0
      ctx.emit(r)
      samples++
    } catch (err) {
      if (ctx.signal.aborted) break
      if (++failures >= STREAM_FAILURES) throw err
    }
    next += period
    const wait = next - performance.now()
    // Behind by more than a period (a slow read): skip ahead instead of bursting.
    if (wait < -period) next = performance.now()
    else if (wait > 0) await pause(Math.min(wait, durationMs - (performance.now() - start)), ctx.signal)
  }
  return { sensor, samples, rateHz }
}

/** Define the bridge's tasks, each behind the allow-list and counted in the metrics. */
export function defineBridgeTasks(d: TaskDeps): void {
  const guarded =
    (task: string, fn: TaskHandler): TaskHandler =>
    async (args, ctx) => {
      const t0 = performance.now()
      if (!d.allow.allows(task, ctx.from)) {
        d.observe(task, 'forbidden', 0)
        d.allow.check(task, ctx.from)
      }
      try {
        const out: unknown = await fn(args, ctx)
        d.observe(task, 'ok', performance.now() - t0)
        return out
      } catch (err) {
        d.observe(task, 'error', performance.now() - t0)
        throw err
      }
    }
  d.mesh.define(
    'sensor.list',
    guarded('sensor.list', () => d.hub.sensors())
  )
  d.mesh.define(
    'sensor.read',
    guarded('sensor.read', (args, ctx) => d.hub.read(sensorArg(args), ctx.signal))
  )
  d.mesh.define(
    'sensor.stream',
    guarded('sensor.stream', (args, ctx) => streamSensor(d.hub, args, ctx))
  )
  d.mesh.define(
    'system.info',
    guarded('system.info', () => ({
      ...hostCapabilities(),
      name: d.mesh.name,
      peerId: d.mesh.peerId,
      host: hostname(),
      uptimeS: Math.round((Date.now() - d.startedAt) / 1_000),
      rssMb: Math.round(process.memoryUsage().rss / 1_048_576),
      capabilities: d.mesh.capabilities(),
      sensors: d.hub.sensors(),
      sources: d.hub.sources.map((s) => ({ name: s.name, failed: d.hub.failed.get(s.name) }))
    }))
  )
  const camera = d.camera
  if (camera !== undefined) {
    d.mesh.define(
      'camera.capture',
      guarded('camera.capture', async (args, ctx) => {
        const devices = camera.devices()
        const want = (args as { device?: unknown } | null)?.device
        if (want !== undefined && typeof want !== 'string')
          bad('args.device must be a device name, like "video0"')
        const device = want === undefined ? devices[0] : devices.find((p) => p.endsWith(`/${want}`))
        if (device === undefined)
          throw new SensorError(`no camera ${want ?? ''} on this device`.replace('  ', ' '), 'NOT_FOUND')
        const width = optNumber(args, 'width', 16, 4096)
        const data = await captureJpeg(camera.ffmpeg, {
          device,
          ...(width !== undefined ? { width: Math.round(width) } : {}),
          signal: ctx.signal
        })
        return { mime: 'image/jpeg', device: device.split('/').pop(), at: Date.now(), data }
      }),
      { needs: { camera: true } }
    )
  }
}
