import { useEffect, useState } from 'react'
import type { SensorState } from '../sensors/capabilities'
import type { SensorHub } from '../sensors/hub'
import type { Sample, SensorName } from '../sensors/types'

/** How often the toggles' readings refresh: readings come far faster than anyone reads them. */
export const readingsRefreshMs = 500

type Readings = Partial<Record<SensorName, Sample>>

function latest(hub: SensorHub, states: readonly SensorState[]): Readings {
  const out: Readings = {}
  for (const s of states) {
    const id = s.readable[0]
    const reading = id === undefined ? undefined : hub.serving(id)?.read(id)
    if (reading !== undefined) out[s.name] = reading
  }
  return out
}

/** The latest reading of each running sensor's first id, refreshed a few times a second. */
export function useSensorReadings(hub: SensorHub | undefined, states: readonly SensorState[]): Readings {
  const [readings, setReadings] = useState<Readings>({})
  const running = states.some((s) => s.status === 'on')
  useEffect(() => {
    if (hub === undefined || !running) return setReadings({})
    const refresh = (): void => setReadings(latest(hub, hub.states()))
    refresh()
    const timer = window.setInterval(refresh, readingsRefreshMs)
    return () => window.clearInterval(timer)
  }, [hub, running])
  return readings
}
