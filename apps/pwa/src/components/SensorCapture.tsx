import { useId, useState } from 'react'
import type { FormEvent } from 'react'
import { defaultCaptureWidth, maxCaptureWidth, minCaptureWidth } from '../sensors/constants'
import type { SensorPeer } from '../sensors/remote'
import type { CaptureView } from '../hooks/useSensorCapture'

interface SensorCaptureProps {
  /** The peers offering `camera.capture` now. */
  peers: readonly SensorPeer[]
  view: CaptureView
  onCapture: ((peer: string, width: number) => void) | undefined
}

/** Runs `camera.capture` on a chosen peer and shows the picture. */
export function SensorCapture({ peers, view, onCapture }: SensorCaptureProps) {
  const [chosen, setChosen] = useState('')
  const [width, setWidth] = useState(String(defaultCaptureWidth))
  const ids = useId()
  const peer = peers.some((p) => p.id === chosen) ? chosen : (peers[0]?.id ?? '')

  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault()
    const w = Number.parseInt(width, 10)
    if (onCapture === undefined || peer === '') return
    onCapture(
      peer,
      Number.isFinite(w) ? Math.min(maxCaptureWidth, Math.max(minCaptureWidth, w)) : defaultCaptureWidth
    )
  }

  return (
    <div className="sensor-remote" data-testid="sensor-capture">
      <h3>Camera</h3>
      <form className="sensor-form" onSubmit={submit}>
        <label htmlFor={`${ids}-peer`}>Peer</label>
        <select
          id={`${ids}-peer`}
          data-testid="sensor-capture-peer"
          value={peer}
          onChange={(event) => setChosen(event.target.value)}
        >
          {peers.length === 0 && <option value="">no peer with a camera on</option>}
          {peers.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
        <label htmlFor={`${ids}-width`}>Width (px)</label>
        <input
          id={`${ids}-width`}
          data-testid="sensor-capture-width"
          type="number"
          min={minCaptureWidth}
          max={maxCaptureWidth}
          value={width}
          onChange={(event) => setWidth(event.target.value)}
        />
        <button
          type="submit"
          className="button button-small"
          data-testid="sensor-capture-run"
          disabled={onCapture === undefined || peer === '' || view.status === 'running'}
        >
          {view.status === 'running' ? 'Capturing…' : 'Capture'}
        </button>
      </form>
      <div
        className="sensor-capture-result"
        data-testid="sensor-capture-result"
        data-status={view.status}
        data-peer={view.peer ?? ''}
        data-bytes={view.bytes ?? ''}
        data-magic={view.magic ?? ''}
        data-width={view.width ?? ''}
        data-height={view.height ?? ''}
      >
        {view.url !== undefined && (
          <figure>
            <img
              src={view.url}
              alt={`Capture from ${peers.find((p) => p.id === view.peer)?.label ?? 'a peer'}`}
              width={view.width}
              height={view.height}
              data-testid="sensor-capture-img"
            />
            <figcaption className="muted numeric">
              {view.width}×{view.height}, {Math.round((view.bytes ?? 0) / 1024)} KiB, {view.tookMs} ms
            </figcaption>
          </figure>
        )}
        {view.status === 'failed' && (
          <p className="run-error" role="alert" data-testid="sensor-capture-error">
            {view.error}
          </p>
        )}
      </div>
    </div>
  )
}
