import { SensorPermissionError, SensorUnavailableError } from '../errors'
import { sample } from '../samples'
import type { SensorSource } from '../types'
import { abandoned, sourceKit } from './kit'

/** [latitude, longitude] in degrees. */
export const positionSensor = 'geolocation'
/** The radius of the fix's 95% confidence, in metres. */
export const accuracySensor = 'geolocation.accuracy'

/** How long the first fix may take before the start fails. */
const firstFixTimeoutMs = 30_000

/** Geolocation: `watchPosition`, started once the first fix (or refusal) arrives. */
export function geolocationSource(): SensorSource {
  const kit = sourceKit()
  let watchId: number | undefined

  const clear = (): void => {
    if (watchId !== undefined) navigator.geolocation.clearWatch(watchId)
    watchId = undefined
  }

  return {
    name: 'geolocation',
    permission: 'geolocation',
    available: () => typeof navigator.geolocation?.watchPosition === 'function',
    start() {
      const token = kit.begin()
      return new Promise<void>((resolve, reject) => {
        let first = true
        const onPosition = (p: GeolocationPosition): void => {
          if (!kit.live(token)) return reject(abandoned())
          const at = p.timestamp
          kit.publish(sample(positionSensor, [p.coords.latitude, p.coords.longitude], 'deg', at))
          kit.publish(sample(accuracySensor, p.coords.accuracy, 'm', at))
          if (first) resolve()
          first = false
        }
        const onError = (e: GeolocationPositionError): void => {
          const err =
            e.code === e.PERMISSION_DENIED
              ? new SensorPermissionError('geolocation permission was not granted')
              : new SensorUnavailableError(`geolocation: ${e.message}`)
          if (first) {
            clear()
            reject(err)
          } else if (e.code === e.PERMISSION_DENIED) kit.fail(err.message)
          first = false
        }
        // Asked here, inside the click.
        watchId = navigator.geolocation.watchPosition(onPosition, onError, {
          enableHighAccuracy: true,
          timeout: firstFixTimeoutMs
        })
      })
    },
    stop() {
      kit.reset()
      clear()
    },
    read: kit.read,
    subscribe: kit.subscribe,
    readable: () => [positionSensor, accuracySensor],
    capability: () => true,
    onChange: kit.onChange,
    onFailure: kit.onFailure
  }
}
