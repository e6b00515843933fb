import type { CapabilityValue, Needs, PeerInfo, Task, TaskOptions } from 'mesh-core'
import { sensorsKey } from './capabilities'
import { maxJpegBytes } from './constants'
import { parseCapture, parseSample } from './samples'
import { captureTaskName, streamTaskName } from './tasks'
import type { CapturedImage, Sample } from './types'

/** What running sensor tasks on other peers needs; a `Mesh` is one. */
export interface RemoteComponents {
  task<R>(needs: Needs, name: string, args?: unknown, o?: TaskOptions): Task<R>
}

/** A peer the Sensors panel can pick: this one or another. */
export interface SensorPeer {
  id: string
  label: string
}

function lists(v: CapabilityValue | undefined, item: string): boolean {
  return Array.isArray(v) ? v.includes(item) : v === item
}

/** Whether a peer's record offers `camera.capture` with its camera on. */
export function offersCapture(caps: Record<string, CapabilityValue>): boolean {
  return caps.camera === true && lists(caps.tasks, captureTaskName)
}

/** Whether a peer's record offers `sensor.stream` for `sensor`. */
export function offersStream(caps: Record<string, CapabilityValue>, sensor: string): boolean {
  return lists(caps[sensorsKey], sensor) && lists(caps.tasks, streamTaskName)
}

/** The streamable sensor ids a peer lists. */
export function streamableSensors(caps: Record<string, CapabilityValue>): string[] {
  const s = caps[sensorsKey]
  if (!lists(caps.tasks, streamTaskName)) return []
  return Array.isArray(s) ? s : typeof s === 'string' ? [s] : []
}

/** This peer (when it qualifies) and the other peers that do, for a picker. */
export function pickablePeers(
  self: { id: string; name: string; capabilities: Record<string, CapabilityValue> } | undefined,
  peers: readonly PeerInfo[],
  qualifies: (caps: Record<string, CapabilityValue>) => boolean
): SensorPeer[] {
  const others = peers
    .filter((p) => p.status !== 'down' && qualifies(p.capabilities))
    .map((p) => ({ id: p.id, label: p.name }))
  if (self === undefined || !qualifies(self.capabilities)) return others
  return [{ id: self.id, label: `${self.name} (this peer)` }, ...others]
}

/** How long a capture may take, end to end. */
export const captureTimeoutMs = 20_000

/** Runs `camera.capture` on `peer` and checks the answer. */
export async function captureOn(
  mesh: RemoteComponents,
  peer: string,
  args: { width?: number; quality?: number } = {}
): Promise<CapturedImage> {
  const reply = await mesh.task<unknown>({}, captureTaskName, args, { peer, timeoutMs: captureTimeoutMs })
  return parseCapture(reply, maxJpegBytes)
}

/** Extra time a stream task gets over its duration, for set-up and the last samples. */
export const streamGraceMs = 10_000

/** A running `sensor.stream`: its checked samples, and how to stop it. */
export interface SampleStream extends AsyncIterable<Sample> {
  cancel(): void
}

/**
 * Starts `sensor.stream` on `peer`. Iterating yields checked samples and ends with the
 * task; `cancel()` stops it.
 */
export function streamFrom(
  mesh: RemoteComponents,
  peer: string,
  args: { sensor: string; rateHz: number; durationMs: number; maxSamples?: number }
): SampleStream {
  let task: Task<unknown> | undefined
  let cancelled = false
  return {
    cancel() {
      cancelled = true
      task?.cancel()
    },
    async *[Symbol.asyncIterator]() {
      if (cancelled) return
      const t = mesh.task<unknown>({}, streamTaskName, args, {
        peer,
        timeoutMs: args.durationMs + streamGraceMs
      })
      task = t
      for await (const chunk of t) yield parseSample(chunk)
    }
  }
}

/** A failure's most telling name: the remote handler's error class (`SensorOffError`), else `code`. */
export function failureName(err: unknown, code: string): string {
  const remote = (err as { remoteName?: unknown } | null)?.remoteName
  return typeof remote === 'string' && remote !== '' ? remote : code
}
