import type { Needs, TaskContext, TaskHandler } from 'mesh-core'
import { parseCaptureArgs, parseReadArgs, parseStreamArgs } from './args'
import { sensorsKey } from './capabilities'
import { maxJpegBytes } from './constants'
import { SensorOffError, SensorUnavailableError } from './errors'
import type { SensorHub } from './hub'
import { runStream } from './stream'
import type { StreamSummary } from './stream'
import type { CapturedImage, FrameSource, Sample, SensorSource } from './types'

export const captureTaskName = 'camera.capture'
export const readTaskName = 'sensor.read'
export const streamTaskName = 'sensor.stream'

/** How long `sensor.read` waits for a just-started sensor's first reading. */
export const firstReadingTimeoutMs = 2_000

/** What defining the tasks needs from the mesh; a `Mesh` is one. */
export interface SensorTaskComponents {
  define(name: string, handler: TaskHandler, o?: { needs?: Needs }): void
}

function isFrameSource(s: SensorSource): s is SensorSource & FrameSource {
  return typeof (s as Partial<FrameSource>).capture === 'function'
}

/** The running source serving `sensor`, or why there is none. */
function servingSource(hub: SensorHub, sensor: string): SensorSource {
  const source = hub.serving(sensor)
  if (source !== undefined) return source
  if (hub.knows(sensor)) throw new SensorOffError(`${sensor} is off on this peer`)
  throw new SensorUnavailableError(`no sensor ${sensor} on this peer`)
}

/** The latest reading, waiting briefly for the first one of a sensor that just started. */
export function firstReading(
  source: Pick<SensorSource, 'read' | 'subscribe'>,
  sensor: string,
  signal: AbortSignal,
  timeoutMs = firstReadingTimeoutMs
): Promise<Sample> {
  const now = source.read(sensor)
  if (now !== undefined) return Promise.resolve(now)
  return new Promise<Sample>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer)
      off()
      signal.removeEventListener('abort', onAbort)
    }
    const off = source.subscribe((s) => {
      if (s.sensor !== sensor) return
      done()
      resolve(s)
    })
    const onAbort = (): void => {
      done()
      reject(new SensorUnavailableError(`${sensor}: cancelled before a first reading`))
    }
    const timer = setTimeout(() => {
      done()
      reject(new SensorUnavailableError(`${sensor} has no reading yet`))
    }, timeoutMs)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

export async function capture(hub: SensorHub, args: unknown): Promise<CapturedImage> {
  const { width, quality } = parseCaptureArgs(args)
  const camera = hub.running('camera')
  if (camera === undefined) throw new SensorOffError('the camera is off on this peer')
  if (!isFrameSource(camera)) throw new SensorUnavailableError('this camera cannot capture frames')
  return camera.capture({ width, quality, maxBytes: maxJpegBytes })
}

export function read(hub: SensorHub, args: unknown, ctx: Pick<TaskContext, 'signal'>): Promise<Sample> {
  const { sensor } = parseReadArgs(args)
  return firstReading(servingSource(hub, sensor), sensor, ctx.signal)
}

export function stream(
  hub: SensorHub,
  args: unknown,
  ctx: Pick<TaskContext, 'signal' | 'emit'>
): Promise<StreamSummary> {
  const parsed = parseStreamArgs(args)
  const source = servingSource(hub, parsed.sensor)
  return runStream(parsed, {
    read: () => source.read(parsed.sensor),
    isOn: () => hub.serving(parsed.sensor) === source,
    emit: (s) => ctx.emit(s),
    signal: ctx.signal
  })
}

/**
 * Defines `camera.capture`, `sensor.read` and `sensor.stream` here. Each is offered (listed
 * in `tasks`) only while its sensors run: mesh-core advertises a task defined with `needs`
 * only while our own capabilities match them, and the hub withdraws `camera` and `sensors`
 * when they stop. A call that arrives after all still finds the sensor off and fails.
 */
export function defineSensorTasks(mesh: SensorTaskComponents, hub: SensorHub): void {
  mesh.define(captureTaskName, (args) => capture(hub, args), { needs: { camera: true } })
  mesh.define(readTaskName, (args, ctx) => read(hub, args, ctx), { needs: { [sensorsKey]: true } })
  mesh.define(streamTaskName, (args, ctx) => stream(hub, args, ctx), { needs: { [sensorsKey]: true } })
}
