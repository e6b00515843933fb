import { useId } from 'react'
import type { Capabilities, Mesh, PeerInfo } from 'mesh-core'
import { useSensorCapture } from '../hooks/useSensorCapture'
import { useSensorHub } from '../hooks/useSensorHub'
import { useSensorReadings } from '../hooks/useSensorReadings'
import { useSensorStream } from '../hooks/useSensorStream'
import { offersCapture, pickablePeers, streamableSensors } from '../sensors/remote'
import type { SensorName } from '../sensors/types'
import { SensorCapture } from './SensorCapture'
import { SensorStream } from './SensorStream'
import { SensorToggle } from './SensorToggle'
import '../styles/sensors.css'

interface SensorsPanelProps {
  /** The running peer; undefined while it starts. */
  mesh: Mesh | undefined
  /** The other peers that are not down. */
  peers: PeerInfo[]
  /** Our own capabilities as last advertised. */
  capabilities: Capabilities
}

/**
 * Sensors: this device's own sensors as capabilities (a switch each, asking for permission
 * on the click), and the sensors of any peer: a camera capture, a live stream into a plot.
 */
export function SensorsPanel({ mesh, peers, capabilities }: SensorsPanelProps) {
  const ids = useId()
  const { hub, states, error } = useSensorHub(mesh)
  const readings = useSensorReadings(hub, states)
  const capture = useSensorCapture(mesh)
  const stream = useSensorStream(mesh)
  const self = mesh && { id: mesh.peerId, name: mesh.name, capabilities }
  const capturePeers = pickablePeers(self, peers, offersCapture)
  const streamPeers = pickablePeers(self, peers, (caps) => streamableSensors(caps).length > 0).map((p) => ({
    ...p,
    capabilities: p.id === self?.id ? capabilities : (peers.find((q) => q.id === p.id)?.capabilities ?? {})
  }))

  const toggle = (name: SensorName, on: boolean): void => {
    if (hub === undefined) return
    // Called straight from the click, so the permission prompt keeps the user gesture.
    void (on ? hub.enable(name) : hub.disable(name))
  }

  return (
    <section className="card sensors" aria-labelledby={`${ids}-heading`} data-testid="sensors-panel">
      <div className="card-head">
        <h2 id={`${ids}-heading`}>Sensors</h2>
      </div>
      <h3>This device</h3>
      {hub === undefined ? (
        <p className="muted">Starting…</p>
      ) : (
        <ul className="sensor-list" aria-label="This device's sensors">
          {states.map((state) => (
            <SensorToggle
              key={state.name}
              state={state}
              reading={readings[state.name]}
              onToggle={(on) => toggle(state.name, on)}
            />
          ))}
        </ul>
      )}
      {error !== undefined && (
        <p className="run-error" role="alert" data-testid="sensors-publish-error">
          {error}
        </p>
      )}
      <SensorCapture
        peers={capturePeers}
        view={capture.view}
        onCapture={mesh === undefined ? undefined : capture.capture}
      />
      <SensorStream
        peers={streamPeers}
        view={stream.view}
        onStart={mesh === undefined ? undefined : stream.start}
        onStop={stream.stop}
      />
    </section>
  )
}
