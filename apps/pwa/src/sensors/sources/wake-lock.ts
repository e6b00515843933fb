import type { SensorSource } from '../types'
import { abandoned, sourceKit } from './kit'

/**
 * A screen wake lock: held while on. The browser releases it when the page is hidden; that
 * counts as the sensor stopping on its own, so `wakeLock` is withdrawn with it.
 */
export function wakeLockSource(): SensorSource {
  const kit = sourceKit()
  let sentinel: WakeLockSentinel | undefined

  return {
    name: 'wakeLock',
    permission: 'screen-wake-lock',
    available: () => typeof navigator.wakeLock?.request === 'function',
    start() {
      const token = kit.begin()
      const asked = navigator.wakeLock.request('screen')
      return (async () => {
        const lock = await asked
        if (!kit.live(token)) {
          await lock.release()
          throw abandoned()
        }
        sentinel = lock
        lock.addEventListener('release', () => {
          // Ours (stop) clears `sentinel` first; any other release is the browser's.
          if (sentinel === lock) kit.fail('the wake lock was released')
        })
      })()
    },
    stop() {
      kit.reset()
      const lock = sentinel
      sentinel = undefined
      void lock?.release()
    },
    read: kit.read,
    subscribe: kit.subscribe,
    readable: () => [],
    capability: () => true,
    onChange: kit.onChange,
    onFailure: kit.onFailure
  }
}
