import { sample } from '../samples'
import type { SensorSource } from '../types'
import { getBattery } from './dom'
import type { BatteryManager } from './dom'
import { abandoned, sourceKit } from './kit'

/** The charge, in whole percent; also the value of the `battery` capability. */
export const levelSensor = 'battery'
export const chargingSensor = 'battery.charging'

/** The battery: `navigator.getBattery()`, re-advertised when the whole percent changes. */
export function batterySource(): SensorSource {
  const kit = sourceKit()
  let battery: BatteryManager | undefined
  let percent = 0
  let stopAll = (): void => undefined

  const publish = (b: BatteryManager): void => {
    const at = Date.now()
    const next = Math.round(b.level * 100)
    kit.publish(sample(levelSensor, next, '%', at))
    kit.publish(sample(chargingSensor, b.charging, undefined, at))
    if (next !== percent) {
      percent = next
      kit.changed()
    }
  }

  return {
    name: 'battery',
    permission: undefined,
    available: () => getBattery() !== undefined,
    async start() {
      const token = kit.begin()
      const get = getBattery()
      if (get === undefined) throw new Error('no Battery Status API')
      const b = await get()
      if (!kit.live(token)) throw abandoned()
      battery = b
      percent = Math.round(b.level * 100)
      const onEvent = (): void => publish(b)
      b.addEventListener('levelchange', onEvent)
      b.addEventListener('chargingchange', onEvent)
      stopAll = () => {
        b.removeEventListener('levelchange', onEvent)
        b.removeEventListener('chargingchange', onEvent)
      }
      publish(b)
    },
    stop() {
      kit.reset()
      stopAll()
      stopAll = () => undefined
      battery = undefined
    },
    read: kit.read,
    subscribe: kit.subscribe,
    readable: () => [levelSensor, chargingSensor],
    capability: () => (battery === undefined ? 0 : percent),
    onChange: kit.onChange,
    onFailure: kit.onFailure
  }
}
