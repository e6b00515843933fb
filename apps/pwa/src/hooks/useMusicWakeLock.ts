import { useEffect, useState } from 'react'

/** Where the screen wake lock is: held while this device plays the session. */
export type WakeLockState = 'unsupported' | 'off' | 'requesting' | 'held' | 'failed'

/**
 * Holds `navigator.wakeLock.request('screen')` while `active`: the screen of the device
 * that plays stays on. The browser drops the lock when the page is hidden, so it is asked
 * for again when the page is visible; it is released when `active` ends. Where there is
 * no Wake Lock API (or no secure context), nothing happens and the state says so.
 */
export function useMusicWakeLock(active: boolean): WakeLockState {
  const supported = typeof navigator !== 'undefined' && 'wakeLock' in navigator
  const [state, setState] = useState<WakeLockState>(supported ? 'off' : 'unsupported')
  useEffect(() => {
    if (!supported || !active) {
      setState(supported ? 'off' : 'unsupported')
      return
    }
    let sentinel: WakeLockSentinel | undefined
    let current = true
    const acquire = (): void => {
      if (document.visibilityState !== 'visible' || (sentinel !== undefined && !sentinel.released)) return
      setState('requesting')
      navigator.wakeLock.request('screen').then(
        (s) => {
          if (!current) return void s.release().catch(() => undefined)
          sentinel = s
          setState('held')
          s.addEventListener('release', () => {
            if (current) setState('off')
          })
        },
        () => {
          if (current) setState('failed')
        }
      )
    }
    acquire()
    document.addEventListener('visibilitychange', acquire)
    return () => {
      current = false
      document.removeEventListener('visibilitychange', acquire)
      void sentinel?.release().catch(() => undefined)
      setState('off')
    }
  }, [active, supported])
  return state
}
