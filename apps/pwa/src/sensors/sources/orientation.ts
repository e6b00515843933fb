import { SensorPermissionError } from '../errors'
import { quaternionToEuler, sample } from '../samples'
import type { SensorSource } from '../types'
import { activation, permissionRequest, sensorConstructor } from './dom'
import type { OrientationSensor, SensorErrorEvent } from './dom'
import { abandoned, sourceKit } from './kit'

/** [alpha, beta, gamma] in degrees, as `deviceorientation` has them. */
export const orientationSensor = 'orientation'

const frequencyHz = 60

/**
 * Orientation: `AbsoluteOrientationSensor` where the browser has it (its quaternion turned
 * into the same three angles), else `deviceorientationabsolute` / `deviceorientation`
 * events, asking iOS's `DeviceOrientationEvent.requestPermission()` first.
 */
export function orientationSource(): SensorSource {
  const kit = sourceKit()
  let stopAll = (): void => undefined

  const publish = (angles: readonly number[]): void =>
    kit.publish(sample(orientationSensor, [...angles], 'deg', Date.now()))

  const startGeneric = async (token: number): Promise<void> => {
    const Abs = sensorConstructor<OrientationSensor>('AbsoluteOrientationSensor')
    if (Abs === undefined) return startEvents(token)
    const sensor = new Abs({ frequency: frequencyHz, referenceFrame: 'device' })
    const onReading = (): void => {
      if (sensor.quaternion !== null) publish(quaternionToEuler(sensor.quaternion))
    }
    const onError = (e: Event): void => kit.fail(`orientation: ${(e as SensorErrorEvent).error.name}`)
    const up = activation(sensor)
    sensor.addEventListener('reading', onReading)
    stopAll = () => {
      sensor.removeEventListener('reading', onReading)
      sensor.removeEventListener('error', onError)
      sensor.stop()
    }
    sensor.start()
    try {
      await up
    } catch (err) {
      stopAll()
      throw err
    }
    if (!kit.live(token)) throw abandoned()
    sensor.addEventListener('error', onError)
  }

  const startEvents = (token: number): Promise<void> => {
    if (!kit.live(token)) return Promise.reject(abandoned())
    const onEvent = (e: DeviceOrientationEvent): void => {
      if (e.alpha !== null && e.beta !== null && e.gamma !== null) publish([e.alpha, e.beta, e.gamma])
    }
    const type = 'ondeviceorientationabsolute' in window ? 'deviceorientationabsolute' : 'deviceorientation'
    window.addEventListener(type, onEvent as EventListener)
    stopAll = () => window.removeEventListener(type, onEvent as EventListener)
    return Promise.resolve()
  }

  return {
    name: 'orientation',
    permission: 'magnetometer',
    available: () =>
      sensorConstructor('AbsoluteOrientationSensor') !== undefined ||
      typeof globalThis.DeviceOrientationEvent === 'function',
    start() {
      const token = kit.begin()
      const asked = permissionRequest('DeviceOrientationEvent')?.()
      return (async () => {
        if (asked !== undefined && (await asked) !== 'granted') {
          throw new SensorPermissionError('orientation permission was not granted')
        }
        await startGeneric(token)
      })()
    },
    stop() {
      kit.reset()
      stopAll()
      stopAll = () => undefined
    },
    read: kit.read,
    subscribe: kit.subscribe,
    readable: () => [orientationSensor],
    capability: () => true,
    onChange: kit.onChange,
    onFailure: kit.onFailure
  }
}
