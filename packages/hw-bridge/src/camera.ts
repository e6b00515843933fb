import { spawn } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { delimiter, join } from 'node:path'

/** The largest frame `camera.capture` returns. */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024
export const CAPTURE_TIMEOUT_MS = 10_000

/** Find an executable on PATH (or take a path as it is); undefined when there is none. */
export async function findExecutable(
  name: string,
  path = process.env.PATH ?? ''
): Promise<string | undefined> {
  const candidates = name.includes('/')
    ? [name]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, name))
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK)
      return c
    } catch {
      // not here
    }
  }
  return undefined
}

export interface CaptureArgs {
  /** The device, e.g. `/dev/video0`. */
  device: string
  /** Scale to this width (height follows the aspect ratio). */
  width?: number
  signal?: AbortSignal
  timeoutMs?: number
}

/** One JPEG frame from a V4L2 device through ffmpeg. Rejects on a timeout, an error or a non-JPEG answer. */
export function captureJpeg(ffmpeg: string, a: CaptureArgs): Promise<Uint8Array> {
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'v4l2', '-i', a.device, '-frames:v', '1']
  if (a.width !== undefined) args.push('-vf', `scale=${a.width}:-2`)
  args.push('-f', 'image2pipe', '-vcodec', 'mjpeg', '-')
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const parts: Buffer[] = []
    let bytes = 0
    let err = ''
    let settled = false
    const finish = (e: Error | undefined, v?: Uint8Array): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      a.signal?.removeEventListener('abort', onAbort)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      if (e !== undefined) reject(e)
      else resolve(v as Uint8Array)
    }
    const onAbort = (): void => finish(new Error('camera.capture cancelled'))
    const timer = setTimeout(
      () =>
        finish(
          new Error(`camera.capture: ffmpeg gave no frame within ${a.timeoutMs ?? CAPTURE_TIMEOUT_MS} ms`)
        ),
      a.timeoutMs ?? CAPTURE_TIMEOUT_MS
    )
    a.signal?.addEventListener('abort', onAbort)
    child.stdout.on('data', (d: Buffer) => {
      bytes += d.byteLength
      if (bytes > MAX_FRAME_BYTES) finish(new Error(`camera.capture: frame over ${MAX_FRAME_BYTES} bytes`))
      else parts.push(d)
    })
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-500)))
    child.on('error', (e) => finish(new Error(`camera.capture: cannot run ffmpeg: ${e.message}`)))
    child.on('close', (code) => {
      const jpeg = new Uint8Array(Buffer.concat(parts))
      if (code !== 0) return finish(new Error(`camera.capture: ffmpeg exited with ${code}: ${err.trim()}`))
      if (!isJpeg(jpeg)) return finish(new Error('camera.capture: ffmpeg did not produce a JPEG'))
      finish(undefined, jpeg)
    })
  })
}

/** SOI marker at the start, EOI at the end. */
export function isJpeg(b: Uint8Array): boolean {
  return (
    b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9
  )
}
