import { useCallback, useSyncExternalStore } from 'react'
import type { Mesh } from 'mesh-core'
import { sensorHubFor } from '../sensors/boot'
import type { SensorState } from '../sensors/capabilities'
import type { SensorHub } from '../sensors/hub'

export interface SensorHubView {
  hub: SensorHub | undefined
  states: readonly SensorState[]
  error: string | undefined
}

const none: readonly SensorState[] = []
const noop = (): (() => void) => () => undefined

/** This peer's sensors, re-rendering on every change of state. */
export function useSensorHub(mesh: Mesh | undefined): SensorHubView {
  const hub = mesh === undefined ? undefined : sensorHubFor(mesh)
  const subscribe = useCallback((fn: () => void) => hub?.subscribe(fn) ?? noop(), [hub])
  const states = useSyncExternalStore(subscribe, () => hub?.states() ?? none)
  const error = useSyncExternalStore(subscribe, () => hub?.lastError())
  return { hub, states, error }
}
