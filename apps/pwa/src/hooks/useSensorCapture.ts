import { useEffect, useRef, useState } from 'react'
import { describeFailure } from '../tasks/run-task'
import { captureOn, failureName } from '../sensors/remote'
import type { RemoteComponents } from '../sensors/remote'

/** The last capture the panel shows. */
export interface CaptureView {
  status: 'idle' | 'running' | 'done' | 'failed'
  /** An object URL for the JPEG, while shown. */
  url?: string
  peer?: string
  width?: number
  height?: number
  bytes?: number
  /** The first bytes, in hex: `ffd8ff` for a JPEG. */
  magic?: string
  tookMs?: number
  error?: string
}

function hex(data: Uint8Array, n: number): string {
  return [...data.subarray(0, n)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** Runs `camera.capture` on a chosen peer and keeps the image as an object URL. */
export function useSensorCapture(mesh: RemoteComponents | undefined): {
  view: CaptureView
  capture: (peer: string, width: number) => void
} {
  const [view, setView] = useState<CaptureView>({ status: 'idle' })
  const url = useRef<string | undefined>(undefined)
  const attempt = useRef(0)

  useEffect(
    () => () => {
      if (url.current !== undefined) URL.revokeObjectURL(url.current)
    },
    []
  )

  const capture = (peer: string, width: number): void => {
    if (mesh === undefined) return
    const id = (attempt.current += 1)
    const started = performance.now()
    setView((v) => ({ ...v, status: 'running', peer }))
    captureOn(mesh, peer, { width }).then(
      (image) => {
        if (id !== attempt.current) return
        if (url.current !== undefined) URL.revokeObjectURL(url.current)
        // A copy, so the Blob owns a plain ArrayBuffer whatever backs the received bytes.
        url.current = URL.createObjectURL(new Blob([image.data.slice()], { type: image.mime }))
        setView({
          status: 'done',
          url: url.current,
          peer,
          width: image.width,
          height: image.height,
          bytes: image.data.byteLength,
          magic: hex(image.data, 3),
          tookMs: Math.round(performance.now() - started)
        })
      },
      (err: unknown) => {
        if (id !== attempt.current) return
        const f = describeFailure(err)
        setView((v) => ({ ...v, status: 'failed', error: `${failureName(err, f.code)}: ${f.message}` }))
      }
    )
  }
  return { view, capture }
}
