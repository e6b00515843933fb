import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { createStore, get, set } from 'idb-keyval'
import type { PrivateKey } from '@libp2p/interface'
import { newKey, randomName } from './common.ts'
import type { Platform } from './types.ts'

/** Tabs of one browser profile each need their own identity: one slot per open tab. */
const IDENTITY_SLOTS = 16

async function holdSlot(): Promise<{ slot: number; release: () => void }> {
  const locks = globalThis.navigator?.locks
  if (locks === undefined) return { slot: 0, release: () => {} }
  for (let slot = 0; slot < IDENTITY_SLOTS; slot++) {
    const held = await new Promise<(() => void) | undefined>((resolve) => {
      void locks.request(`mesh-identity-${slot}`, { ifAvailable: true }, (lock) => {
        if (lock === null) {
          resolve(undefined)
          return
        }
        // Hold the lock until released: the promise we return keeps it.
        return new Promise<void>((release) => resolve(release))
      })
    })
    if (held !== undefined) return { slot, release: held }
  }
  return { slot: IDENTITY_SLOTS, release: () => {} }
}

async function loadKey(slot: number): Promise<PrivateKey> {
  const store = createStore('mesh', 'identity')
  const id = `key-${slot}`
  const bytes = await get<Uint8Array>(id, store)
  if (bytes instanceof Uint8Array) {
    try {
      return privateKeyFromProtobuf(bytes)
    } catch {
      // A corrupt stored key: start a new identity rather than refuse to run.
    }
  }
  const key = await newKey()
  await set(id, privateKeyToProtobuf(key), store)
  return key
}

interface BatteryLike extends EventTarget {
  level: number
  charging: boolean
}

/** Battery Status API readings, where the browser has it (Chromium); returns an unsubscribe. */
function watchBattery(on: (level: number, charging: boolean) => void): () => void {
  const nav = globalThis.navigator as { getBattery?: () => Promise<BatteryLike> } | undefined
  let stop = false
  let off = (): void => {}
  nav
    ?.getBattery?.()
    .then((b) => {
      if (stop) return
      const read = (): void => on(b.level, b.charging)
      b.addEventListener('levelchange', read)
      b.addEventListener('chargingchange', read)
      off = () => {
        b.removeEventListener('levelchange', read)
        b.removeEventListener('chargingchange', read)
      }
      read()
    })
    .catch(() => {})
  return () => {
    stop = true
    off()
  }
}

export const platform: Platform = {
  kind: 'browser',
  defaultRole: 'browser',
  async loadIdentity() {
    const { slot, release } = await holdSlot()
    const key = slot < IDENTITY_SLOTS ? await loadKey(slot) : await newKey()
    return { key, release }
  },
  defaultBootstrap: () =>
    globalThis.location !== undefined ? [`${globalThis.location.origin}/bootstrap.json`] : [],
  libp2pParts(_role, o) {
    return {
      listen: o.listen ?? ['/p2p-circuit', '/webrtc'],
      transports: [
        webSockets(),
        webRTC({ rtcConfiguration: o.rtcConfiguration ?? { iceServers: [] } }),
        circuitRelayTransport()
      ],
      peerDiscovery: [],
      services: {}
    }
  },
  async fetchJson(url, signal) {
    const res = await fetch(url, { signal, cache: 'no-store' })
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`)
    return (await res.json()) as unknown
  },
  watchLifecycle(h) {
    const onPageHide = (): void => h.leaving()
    const onVisibility = (): void => h.hidden(document.visibilityState === 'hidden')
    const onFreeze = (): void => h.hidden(true)
    const onResume = (): void => h.hidden(document.visibilityState === 'hidden')
    // Back from the back/forward cache after a pagehide: we are here again.
    const onPageShow = (e: PageTransitionEvent): void => {
      if (e.persisted) h.hidden(document.visibilityState === 'hidden')
    }
    const battery = watchBattery((level, charging) => h.battery(level, charging))
    addEventListener('pagehide', onPageHide)
    addEventListener('pageshow', onPageShow)
    document.addEventListener('visibilitychange', onVisibility)
    document.addEventListener('freeze', onFreeze)
    document.addEventListener('resume', onResume)
    return () => {
      removeEventListener('pagehide', onPageHide)
      removeEventListener('pageshow', onPageShow)
      document.removeEventListener('visibilitychange', onVisibility)
      document.removeEventListener('freeze', onFreeze)
      document.removeEventListener('resume', onResume)
      battery()
    }
  },
  beacon(url, body) {
    try {
      navigator.sendBeacon(url, new Blob([body as BlobPart], { type: 'application/octet-stream' }))
    } catch {
      // No beacon: the direct goodbye and the lost-connection path remain.
    }
  },
  defaultName: randomName
}
