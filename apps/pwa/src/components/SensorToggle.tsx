import type { SensorState } from '../sensors/capabilities'
import { formatValue } from '../sensors/plot'
import type { Sample } from '../sensors/types'

/** What each sensor is, for its row. */
const labels: Record<SensorState['name'], string> = {
  camera: 'Camera',
  microphone: 'Microphone level',
  motion: 'Motion',
  orientation: 'Orientation',
  geolocation: 'Location',
  battery: 'Battery',
  network: 'Network',
  wakeLock: 'Keep screen on'
}

interface SensorToggleProps {
  state: SensorState
  /** The latest reading of its first sensor id, if any. */
  reading: Sample | undefined
  onToggle: (on: boolean) => void
}

/** One sensor of this peer: a switch, its permission and status, its latest reading. */
export function SensorToggle({ state, reading, onToggle }: SensorToggleProps) {
  const on = state.status === 'on' || state.status === 'starting'
  const unavailable = state.status === 'unavailable'
  return (
    <li
      className={`sensor-row sensor-${state.status}`}
      data-testid="sensor-row"
      data-sensor={state.name}
      data-status={state.status}
      data-permission={state.permission}
    >
      <label className="sensor-switch">
        <input
          type="checkbox"
          role="switch"
          data-testid={`sensor-toggle-${state.name}`}
          checked={on}
          disabled={unavailable}
          onChange={(event) => onToggle(event.target.checked)}
        />
        <span>{labels[state.name]}</span>
      </label>
      <span className="sensor-status" data-testid="sensor-status">
        {unavailable ? 'not in this browser' : state.status}
        {!unavailable && state.permission !== 'unsupported' && ` · ${state.permission}`}
      </span>
      {reading !== undefined && state.status === 'on' && (
        <span className="numeric sensor-reading" data-testid="sensor-reading">
          {formatValue(reading.value)}
          {reading.unit !== undefined && ` ${reading.unit}`}
        </span>
      )}
      {state.error !== undefined && (
        <span className="sensor-error" role="alert" data-testid="sensor-error">
          {state.error}
        </span>
      )}
    </li>
  )
}
