import { sample } from '../samples'
import type { SensorSource } from '../types'
import { connection } from './dom'
import { sourceKit } from './kit'

/** The effective connection type (`4g`, `3g`, …); also the value of the `network` capability. */
export const typeSensor = 'network'
/** Estimated downlink, in Mbit/s. */
export const downlinkSensor = 'network.downlink'
/** Estimated round trip, in ms. */
export const rttSensor = 'network.rtt'

/** Network information: `navigator.connection`, re-advertised when the effective type changes. */
export function networkSource(): SensorSource {
  const kit = sourceKit()
  let effectiveType = 'unknown'
  let stopAll = (): void => undefined

  const publish = (): void => {
    const c = connection()
    if (c === undefined) return
    const at = Date.now()
    const type = c.effectiveType ?? 'unknown'
    kit.publish(sample(typeSensor, type, undefined, at))
    if (typeof c.downlink === 'number') kit.publish(sample(downlinkSensor, c.downlink, 'Mbit/s', at))
    if (typeof c.rtt === 'number') kit.publish(sample(rttSensor, c.rtt, 'ms', at))
    if (type !== effectiveType) {
      effectiveType = type
      kit.changed()
    }
  }

  return {
    name: 'network',
    permission: undefined,
    available: () => connection() !== undefined,
    start() {
      kit.begin()
      const c = connection()
      if (c === undefined) return Promise.reject(new Error('no Network Information API'))
      effectiveType = c.effectiveType ?? 'unknown'
      c.addEventListener('change', publish)
      stopAll = () => c.removeEventListener('change', publish)
      publish()
      return Promise.resolve()
    },
    stop() {
      kit.reset()
      stopAll()
      stopAll = () => undefined
    },
    read: kit.read,
    subscribe: kit.subscribe,
    readable: () => [typeSensor, downlinkSensor, rttSensor],
    capability: () => effectiveType,
    onChange: kit.onChange,
    onFailure: kit.onFailure
  }
}
