import type { Capabilities } from 'mesh-core'
import { nextAdvertisement } from './capabilities'

/** What the advertiser needs from the mesh; a `Mesh` is one. */
export interface AdvertiserComponents {
  capabilities(): Capabilities
  advertise(caps: Capabilities, o?: { replace?: boolean }): Promise<void>
}

export interface SensorAdvertiser {
  /** Make the record hold `desired` for the sensor keys; resolves once published. */
  sync(desired: Capabilities): Promise<void>
}

/**
 * Publishes the sensors' capabilities, one write at a time, each computed from the latest
 * wanted set. Every write reads the record and calls `advertise` in the same synchronous
 * step: mesh-core applies an advertise to its set before its first `await`, so the
 * capability editor (which also reads then advertises synchronously) can never interleave
 * between our read and our write, and neither undoes the other's keys.
 */
export function sensorAdvertiser(
  mesh: AdvertiserComponents,
  managed: readonly string[],
  onError: (err: unknown) => void
): SensorAdvertiser {
  let wanted: Capabilities = {}
  let chain: Promise<void> = Promise.resolve()
  const write = async (): Promise<void> => {
    const next = nextAdvertisement(mesh.capabilities(), managed, wanted)
    if (next === undefined) return
    await mesh.advertise(next.caps, { replace: next.replace })
    // A concurrent advertise that failed restores the set it saw, which may predate ours: check once.
    const again = nextAdvertisement(mesh.capabilities(), managed, wanted)
    if (again !== undefined) await mesh.advertise(again.caps, { replace: again.replace })
  }
  return {
    sync(desired) {
      wanted = desired
      chain = chain.then(write).catch(onError)
      return chain
    }
  }
}
