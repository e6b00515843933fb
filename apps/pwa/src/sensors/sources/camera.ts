import { firstFrameTimeoutMs } from '../constants'
import { CaptureTooLargeError, SensorUnavailableError } from '../errors'
import type { CapturedImage, FrameSource, SensorSource } from '../types'
import { abandoned, sourceKit } from './kit'

/** Each retry of an oversized capture lowers the JPEG quality by this factor. */
const qualityStep = 0.6
const maxEncodes = 4

function waitForFrame(video: HTMLVideoElement): Promise<void> {
  if (video.videoWidth > 0) return Promise.resolve()
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      video.removeEventListener('loadeddata', onData)
      reject(new SensorUnavailableError('the camera delivered no frame'))
    }, firstFrameTimeoutMs)
    const onData = (): void => {
      clearTimeout(timer)
      resolve()
    }
    video.addEventListener('loadeddata', onData, { once: true })
  })
}

function encode(canvas: HTMLCanvasElement, quality: number): Promise<Blob> {
  return new Promise<Blob>((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob === null ? reject(new SensorUnavailableError('JPEG encoding failed')) : resolve(blob)),
      'image/jpeg',
      quality
    )
  )
}

/**
 * The camera: a `getUserMedia` video stream held open while it is on (so a capture is one
 * frame away, and a track that ends is seen), drawn to a canvas and encoded as JPEG.
 */
export function cameraSource(): SensorSource & FrameSource {
  const kit = sourceKit()
  let stream: MediaStream | undefined
  let video: HTMLVideoElement | undefined

  const release = (): void => {
    for (const track of stream?.getTracks() ?? []) track.stop()
    if (video !== undefined) video.srcObject = null
    stream = undefined
    video = undefined
  }

  return {
    name: 'camera',
    permission: 'camera',
    available: () => typeof navigator.mediaDevices?.getUserMedia === 'function',
    start() {
      const token = kit.begin()
      const asked = navigator.mediaDevices.getUserMedia({
        video: { facingMode: 'environment', width: { ideal: 1_280 } },
        audio: false
      })
      return (async () => {
        const s = await asked
        if (!kit.live(token)) {
          for (const track of s.getTracks()) track.stop()
          throw abandoned()
        }
        stream = s
        const v = document.createElement('video')
        v.muted = true
        v.playsInline = true
        v.srcObject = s
        video = v
        for (const track of s.getVideoTracks()) {
          track.addEventListener('ended', () => kit.fail('the camera track ended'), { once: true })
        }
        await v.play()
      })()
    },
    stop() {
      kit.reset()
      release()
    },
    async capture({ width, quality, maxBytes }): Promise<CapturedImage> {
      const v = video
      if (v === undefined) throw new SensorUnavailableError('the camera is not running')
      await waitForFrame(v)
      const scale = Math.min(1, width / v.videoWidth)
      const canvas = document.createElement('canvas')
      canvas.width = Math.max(1, Math.round(v.videoWidth * scale))
      canvas.height = Math.max(1, Math.round(v.videoHeight * scale))
      const ctx = canvas.getContext('2d')
      if (ctx === null) throw new SensorUnavailableError('no 2D canvas')
      ctx.drawImage(v, 0, 0, canvas.width, canvas.height)
      let q = quality
      for (let i = 0; i < maxEncodes; i += 1, q *= qualityStep) {
        const blob = await encode(canvas, q)
        if (blob.size <= maxBytes) {
          const data = new Uint8Array(await blob.arrayBuffer())
          return { mime: 'image/jpeg', width: canvas.width, height: canvas.height, data }
        }
      }
      throw new CaptureTooLargeError(
        `a ${canvas.width}x${canvas.height} capture stays over ${maxBytes} bytes`
      )
    },
    read: kit.read,
    subscribe: kit.subscribe,
    readable: () => [],
    capability: () => true,
    onChange: kit.onChange,
    onFailure: kit.onFailure
  }
}
