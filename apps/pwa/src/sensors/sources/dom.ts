/**
 * The browser APIs the sensors use that TypeScript's DOM library does not describe yet:
 * the Generic Sensor API, the Battery Status API, the Network Information API and iOS's
 * motion permission. Each accessor answers undefined where the browser lacks the API.
 */

export interface GenericSensor extends EventTarget {
  readonly activated: boolean
  start(): void
  stop(): void
}

export interface XyzSensor extends GenericSensor {
  readonly x: number | null
  readonly y: number | null
  readonly z: number | null
}

export interface OrientationSensor extends GenericSensor {
  readonly quaternion: readonly number[] | null
}

/** The `error` event of a generic sensor. */
export interface SensorErrorEvent extends Event {
  readonly error: DOMException
}

export type SensorConstructor<S> = new (o: { frequency?: number; referenceFrame?: 'device' | 'screen' }) => S

export interface BatteryManager extends EventTarget {
  readonly level: number
  readonly charging: boolean
}

export interface NetworkInformation extends EventTarget {
  readonly effectiveType?: string
  readonly downlink?: number
  readonly rtt?: number
}

/** `DeviceMotionEvent` / `DeviceOrientationEvent` on iOS 13+: a permission asked from a click. */
interface RequestsPermission {
  requestPermission?: () => Promise<'granted' | 'denied'>
}

const g = globalThis as Record<string, unknown>

export function sensorConstructor<S>(name: string): SensorConstructor<S> | undefined {
  const c = g[name]
  return typeof c === 'function' ? (c as SensorConstructor<S>) : undefined
}

export function getBattery(): (() => Promise<BatteryManager>) | undefined {
  const nav = navigator as Navigator & { getBattery?: () => Promise<BatteryManager> }
  return typeof nav.getBattery === 'function' ? nav.getBattery.bind(nav) : undefined
}

export function connection(): NetworkInformation | undefined {
  return (navigator as Navigator & { connection?: NetworkInformation }).connection
}

/** `DeviceMotionEvent.requestPermission` (or the orientation one) where it exists. */
export function permissionRequest(
  eventName: 'DeviceMotionEvent' | 'DeviceOrientationEvent'
): (() => Promise<'granted' | 'denied'>) | undefined {
  const ctor = g[eventName] as RequestsPermission | undefined
  return typeof ctor?.requestPermission === 'function' ? ctor.requestPermission.bind(ctor) : undefined
}

/** Resolves once `sensor` activates, rejects with its error; the first event wins. */
export function activation(sensor: GenericSensor): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (): void => {
      sensor.removeEventListener('activate', onActivate)
      sensor.removeEventListener('error', onError)
    }
    const onActivate = (): void => {
      done()
      resolve()
    }
    const onError = (e: Event): void => {
      done()
      reject((e as SensorErrorEvent).error)
    }
    sensor.addEventListener('activate', onActivate)
    sensor.addEventListener('error', onError)
  })
}
