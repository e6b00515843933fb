import type { SensorSource } from '../types'
import { batterySource } from './battery'
import { cameraSource } from './camera'
import { geolocationSource } from './geolocation'
import { microphoneSource } from './microphone'
import { motionSource } from './motion'
import { networkSource } from './network'
import { orientationSource } from './orientation'
import { wakeLockSource } from './wake-lock'

/** Every sensor module, in the order the Sensors panel lists them. */
export function browserSources(): SensorSource[] {
  return [
    cameraSource(),
    microphoneSource(),
    motionSource(),
    orientationSource(),
    geolocationSource(),
    batterySource(),
    networkSource(),
    wakeLockSource()
  ]
}
