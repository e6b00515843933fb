import { SensorPermissionError } from '../errors'
import { degToRad, sample, xyz } from '../samples'
import type { SensorSource } from '../types'
import { activation, permissionRequest, sensorConstructor } from './dom'
import type { SensorErrorEvent, XyzSensor } from './dom'
import { abandoned, sourceKit } from './kit'

/** The acceleration (gravity included) as [x, y, z] in m/s². */
export const accelSensor = 'motion'
/** The rotation rate as [x, y, z] in rad/s. */
export const rotationSensor = 'motion.rotation'

/** How often the Generic Sensor API is asked to report: the most a stream can use. */
const frequencyHz = 60

/**
 * Motion: the Generic Sensor API's `Accelerometer` (and `Gyroscope` when it works) where the
 * browser has it, else `devicemotion` events. On iOS the events need
 * `DeviceMotionEvent.requestPermission()`, which `start()` calls first, inside the click.
 */
export function motionSource(): SensorSource {
  const kit = sourceKit()
  let readable: string[] = []
  let stopAll = (): void => undefined

  const startGeneric = async (token: number): Promise<void> => {
    const Accel = sensorConstructor<XyzSensor>('Accelerometer')
    const Gyro = sensorConstructor<XyzSensor>('Gyroscope')
    if (Accel === undefined) return startEvents(token)
    const accel = new Accel({ frequency: frequencyHz, referenceFrame: 'device' })
    const gyro =
      Gyro === undefined ? undefined : new Gyro({ frequency: frequencyHz, referenceFrame: 'device' })
    const onAccel = (): void => {
      const v = xyz(accel.x, accel.y, accel.z)
      if (v !== undefined) kit.publish(sample(accelSensor, v, 'm/s²', Date.now()))
    }
    const onGyro = (): void => {
      const v = gyro === undefined ? undefined : xyz(gyro.x, gyro.y, gyro.z)
      if (v !== undefined) kit.publish(sample(rotationSensor, v, 'rad/s', Date.now()))
    }
    // After activation an error means the sensor went away or its permission was revoked.
    const onAccelError = (e: Event): void => kit.fail(`accelerometer: ${(e as SensorErrorEvent).error.name}`)
    const onGyroError = (): void => gyro?.stop()
    const accelUp = activation(accel)
    const gyroUp = gyro === undefined ? Promise.reject(new Error('no gyroscope')) : activation(gyro)
    accel.addEventListener('reading', onAccel)
    gyro?.addEventListener('reading', onGyro)
    stopAll = () => {
      accel.removeEventListener('reading', onAccel)
      accel.removeEventListener('error', onAccelError)
      accel.stop()
      gyro?.removeEventListener('reading', onGyro)
      gyro?.removeEventListener('error', onGyroError)
      gyro?.stop()
    }
    accel.start()
    gyro?.start()
    const [a, r] = await Promise.allSettled([accelUp, gyroUp])
    if (!kit.live(token)) throw abandoned()
    if (a.status === 'rejected') {
      stopAll()
      throw a.reason
    }
    accel.addEventListener('error', onAccelError)
    // A missing gyroscope is no failure: motion then serves acceleration alone.
    if (r.status === 'fulfilled') gyro?.addEventListener('error', onGyroError)
    else gyro?.stop()
    readable = r.status === 'fulfilled' ? [accelSensor, rotationSensor] : [accelSensor]
  }

  const startEvents = (token: number): Promise<void> => {
    if (!kit.live(token)) return Promise.reject(abandoned())
    const onMotion = (e: DeviceMotionEvent): void => {
      const at = Date.now()
      const g = e.accelerationIncludingGravity
      const a = g === null ? undefined : xyz(g.x, g.y, g.z)
      if (a !== undefined) kit.publish(sample(accelSensor, a, 'm/s²', at))
      const rr = e.rotationRate
      // rotationRate: alpha turns about z, beta about x, gamma about y; in deg/s.
      const r = rr === null ? undefined : xyz(rr.beta, rr.gamma, rr.alpha)
      if (r !== undefined) kit.publish(sample(rotationSensor, r.map(degToRad), 'rad/s', at))
    }
    window.addEventListener('devicemotion', onMotion)
    stopAll = () => window.removeEventListener('devicemotion', onMotion)
    readable = [accelSensor, rotationSensor]
    return Promise.resolve()
  }

  return {
    name: 'motion',
    permission: 'accelerometer',
    available: () =>
      sensorConstructor('Accelerometer') !== undefined || typeof globalThis.DeviceMotionEvent === 'function',
    start() {
      const token = kit.begin()
      // Asked synchronously, inside the click: iOS refuses the request otherwise.
      const asked = permissionRequest('DeviceMotionEvent')?.()
      return (async () => {
        if (asked !== undefined && (await asked) !== 'granted') {
          throw new SensorPermissionError('motion permission was not granted')
        }
        await startGeneric(token)
      })()
    },
    stop() {
      kit.reset()
      stopAll()
      stopAll = () => undefined
      readable = []
    },
    read: kit.read,
    subscribe: kit.subscribe,
    readable: () => readable,
    capability: () => true,
    onChange: kit.onChange,
    onFailure: kit.onFailure
  }
}
