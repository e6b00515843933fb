import type { Mesh } from 'mesh-core'
import { sensorHub } from './hub'
import type { SensorHub } from './hub'
import { browserSources } from './sources'
import { defineSensorTasks } from './tasks'

const hubs = new WeakMap<Mesh, SensorHub>()

/**
 * The one sensor hub of a running peer, with the sensor tasks defined: made on first use
 * and kept for the peer's life, so re-renders and StrictMode's double effects share it.
 */
export function sensorHubFor(mesh: Mesh): SensorHub {
  let hub = hubs.get(mesh)
  if (hub === undefined) {
    hub = sensorHub(mesh, {
      sources: browserSources(),
      permissions: typeof navigator.permissions?.query === 'function' ? navigator.permissions : undefined
    })
    defineSensorTasks(mesh, hub)
    hubs.set(mesh, hub)
  }
  return hub
}
