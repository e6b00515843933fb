import { useId, useState } from 'react'
import type { FormEvent } from 'react'
import type { CapabilityValue } from 'mesh-core'
import { defaultRateHz, maxRateHz, minRateHz } from '../sensors/constants'
import { formatValue } from '../sensors/plot'
import { streamableSensors } from '../sensors/remote'
import type { SensorPeer } from '../sensors/remote'
import type { StreamRequest, StreamView } from '../hooks/useSensorStream'
import { SensorPlot } from './SensorPlot'

/** How long one stream runs unless stopped first. */
export const streamDurationMs = 120_000

interface SensorStreamProps {
  /** The peers offering `sensor.stream` now, with their capabilities. */
  peers: ReadonlyArray<SensorPeer & { capabilities: Record<string, CapabilityValue> }>
  view: StreamView
  onStart: ((request: StreamRequest) => void) | undefined
  onStop: () => void
}

/** Streams a sensor (motion by default) from a chosen peer into a live plot. */
export function SensorStream({ peers, view, onStart, onStop }: SensorStreamProps) {
  const [chosenPeer, setPeer] = useState('')
  const [chosenSensor, setSensor] = useState('motion')
  const [rate, setRate] = useState(String(defaultRateHz * 2))
  const ids = useId()
  const peer = peers.find((p) => p.id === chosenPeer) ?? peers[0]
  const sensors = peer === undefined ? [] : streamableSensors(peer.capabilities)
  const sensor = sensors.includes(chosenSensor) ? chosenSensor : (sensors[0] ?? '')
  const streaming = view.status === 'streaming'
  const { plot } = view

  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault()
    if (onStart === undefined || peer === undefined || sensor === '') return
    // Not clamped here: the sending peer clamps to what it allows (`maxRateHz`) itself.
    const r = Number.parseFloat(rate)
    const rateHz = Number.isFinite(r) && r > 0 ? r : defaultRateHz
    onStart({ peer: peer.id, sensor, rateHz, durationMs: streamDurationMs })
  }

  return (
    <div className="sensor-remote" data-testid="sensor-stream">
      <h3>Live stream</h3>
      <form className="sensor-form" onSubmit={submit}>
        <label htmlFor={`${ids}-peer`}>Peer</label>
        <select
          id={`${ids}-peer`}
          data-testid="sensor-stream-peer"
          value={peer?.id ?? ''}
          onChange={(event) => setPeer(event.target.value)}
        >
          {peers.length === 0 && <option value="">no peer streaming sensors</option>}
          {peers.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
        <label htmlFor={`${ids}-sensor`}>Sensor</label>
        <select
          id={`${ids}-sensor`}
          data-testid="sensor-stream-sensor"
          value={sensor}
          onChange={(event) => setSensor(event.target.value)}
        >
          {sensors.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <label htmlFor={`${ids}-rate`}>Rate (Hz)</label>
        <input
          id={`${ids}-rate`}
          data-testid="sensor-stream-rate"
          type="number"
          min={minRateHz}
          step="any"
          title={`The sender samples at most ${maxRateHz} times a second`}
          value={rate}
          onChange={(event) => setRate(event.target.value)}
        />
        <div className="sensor-buttons">
          <button
            type="submit"
            className="button button-small"
            data-testid="sensor-stream-start"
            disabled={onStart === undefined || sensor === ''}
          >
            {streaming ? 'Restart' : 'Stream'}
          </button>
          <button
            type="button"
            className="button button-small button-quiet"
            data-testid="sensor-stream-stop"
            disabled={!streaming}
            onClick={onStop}
          >
            Stop
          </button>
        </div>
      </form>
      <div
        className="sensor-stream-view"
        data-testid="sensor-stream-view"
        data-status={view.status}
        data-peer={view.request?.peer ?? ''}
        data-sensor={view.request?.sensor ?? ''}
        data-count={plot.count}
        data-last={plot.last === undefined ? '' : JSON.stringify(plot.last.value)}
      >
        {view.request !== undefined && (
          <p className="sensor-stream-facts muted numeric">
            <span data-testid="sensor-stream-count">{plot.count} samples</span> ·{' '}
            <span data-testid="sensor-stream-rate-shown">{plot.rateHz.toFixed(1)} Hz</span>
            {plot.last !== undefined && (
              <>
                {' '}
                · last <span data-testid="sensor-stream-last">{formatValue(plot.last.value)}</span>
                {plot.last.unit !== undefined && ` ${plot.last.unit}`}
              </>
            )}
          </p>
        )}
        {view.request !== undefined && <SensorPlot axes={plot.axes} />}
        {view.status === 'failed' && (
          <p className="run-error" role="alert" data-testid="sensor-stream-error">
            {view.error}
          </p>
        )}
      </div>
    </div>
  )
}
