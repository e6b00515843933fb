import { sensorAdvertiser } from './advertiser'
import type { AdvertiserComponents } from './advertiser'
import { permissionAfterStart, revokedBy, sensorCapabilities, sensorsKey } from './capabilities'
import type { SensorState } from './capabilities'
import { watchPermission } from './permission'
import type { PermissionsLike, PermissionWatch } from './permission'
import type { PermissionState, SensorName, SensorSource } from './types'

export interface SensorHubInit {
  /** The sensor modules; the browser's are `browserSources()`. */
  sources: readonly SensorSource[]
  /** `navigator.permissions`, when the browser has it. */
  permissions?: PermissionsLike | undefined
  /** Where publishing failed, besides `lastError()`. */
  onError?: (err: unknown) => void
}

/** The phone's sensors: their states, their toggles and what they advertise. */
export interface SensorHub {
  /** One state per sensor; a new array after every change (for `useSyncExternalStore`). */
  states(): readonly SensorState[]
  subscribe(fn: () => void): () => void
  /** Turn `name` on. Call it from the toggle's click: it asks for permission first. */
  enable(name: SensorName): Promise<void>
  /** Turn `name` off and withdraw its capability. */
  disable(name: SensorName): Promise<void>
  /** The running source serving sensor id `sensor`, if one does. */
  serving(sensor: string): SensorSource | undefined
  /** The running source `name`, if it runs. */
  running(name: SensorName): SensorSource | undefined
  /** Whether `sensor` is an id some source here could serve once on. */
  knows(sensor: string): boolean
  /** The last failure to publish the sensors' capabilities, for the panel. */
  lastError(): string | undefined
  stop(): Promise<void>
}

interface Slot {
  source: SensorSource
  state: SensorState
  /** Counts starts and stops, so a start that a stop overtook is undone. */
  generation: number
  unwatch: Array<() => void>
  /** The permission being watched, once queried. */
  watch: Promise<PermissionWatch>
  /** Whether `watch` was started (at the sensor's first start). */
  watching: boolean
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
}

/** Errors that mean the user or the browser said no, as opposed to a broken sensor. */
function isRefusal(err: unknown): boolean {
  return (
    err instanceof Error && ['NotAllowedError', 'SecurityError', 'SensorPermissionError'].includes(err.name)
  )
}

/**
 * Keeps each sensor's state and advertises exactly the sensors that run with their
 * permission granted. A permission `change` away from granted, a track that ends, or a
 * sensor error stops the sensor and withdraws its capability at once.
 */
export function sensorHub(mesh: AdvertiserComponents, init: SensorHubInit): SensorHub {
  const slots = new Map<SensorName, Slot>()
  const listeners = new Set<() => void>()
  let publishError: string | undefined
  const onError = (err: unknown): void => {
    publishError = errorText(err)
    for (const fn of listeners) fn()
    init.onError?.(err)
  }
  const managed = [...init.sources.map((s) => s.name), sensorsKey]
  const advertiser = sensorAdvertiser(mesh, managed, onError)
  let snapshot: readonly SensorState[] = []
  let stopped = false

  for (const source of init.sources) {
    const available = source.available()
    slots.set(source.name, {
      source,
      generation: 0,
      unwatch: [],
      watch: Promise.resolve({ state: 'unsupported', close: () => undefined }),
      watching: false,
      state: {
        name: source.name,
        status: available ? 'off' : 'unavailable',
        permission: 'unsupported',
        value: true,
        readable: []
      }
    })
  }

  const changed = (): Promise<void> => {
    snapshot = [...slots.values()].map((s) => s.state)
    publishError = undefined
    for (const fn of listeners) fn()
    return stopped ? Promise.resolve() : advertiser.sync(sensorCapabilities(snapshot))
  }

  /** A new status clears the old error unless it brings its own. */
  const update = (slot: Slot, patch: Partial<SensorState>): Promise<void> => {
    const next: SensorState = { ...slot.state, ...patch }
    if (patch.status !== undefined && patch.error === undefined) delete next.error
    slot.state = next
    return changed()
  }

  /** Stops a running source and leaves it in `status`, withdrawing its capability. */
  const halt = (slot: Slot, patch: Partial<SensorState>): Promise<void> => {
    slot.generation += 1
    for (const off of slot.unwatch.splice(0)) off()
    slot.source.stop()
    return update(slot, { readable: [], ...patch })
  }

  const onPermission = (slot: Slot, permission: PermissionState): void => {
    const { status } = slot.state
    // While starting the state may still be `prompt` (the prompt is up); only a refusal stops it.
    if ((status === 'on' && revokedBy(permission)) || (status === 'starting' && permission === 'denied')) {
      void halt(slot, {
        status: permission === 'denied' ? 'denied' : 'off',
        permission,
        error: 'permission revoked'
      })
    } else void update(slot, { permission })
  }

  /**
   * Watch a sensor's permission from its first start for the hub's lifetime: a revoke must
   * be seen whenever it comes. Not at boot: a page that never turns a sensor on does not
   * query (and wake) the media and sensor permission machinery at all.
   */
  const watchOnce = (slot: Slot): void => {
    if (slot.watching) return
    slot.watching = true
    slot.watch = watchPermission(init.permissions, slot.source.permission, (p) => onPermission(slot, p))
    void slot.watch.then((w) =>
      update(slot, { permission: slot.state.status === 'on' ? permissionAfterStart(w.state) : w.state })
    )
  }
  snapshot = [...slots.values()].map((s) => s.state)

  const slotOf = (name: SensorName): Slot => {
    const slot = slots.get(name)
    if (slot === undefined) throw new Error(`no sensor ${name}`)
    return slot
  }

  return {
    states: () => snapshot,
    subscribe(fn) {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },

    async enable(name) {
      const slot = slotOf(name)
      const { status } = slot.state
      if (stopped || status === 'unavailable' || status === 'on' || status === 'starting') return
      const generation = (slot.generation += 1)
      // Start first, before any await, so the permission request keeps the click's user gesture.
      const starting = slot.source.start()
      watchOnce(slot)
      void update(slot, { status: 'starting' })
      try {
        await starting
      } catch (err) {
        if (slot.generation !== generation) return
        slot.source.stop()
        await update(slot, { status: isRefusal(err) ? 'denied' : 'failed', error: errorText(err) })
        return
      }
      await slot.watch
      // Switched off (or on again) while it started: that later toggle wins.
      if (slot.generation !== generation) return
      const { source } = slot
      slot.unwatch.push(
        source.onFailure((reason) => void halt(slot, { status: 'failed', error: reason })),
        source.onChange(() => void update(slot, { value: source.capability() }))
      )
      await update(slot, {
        status: 'on',
        permission: permissionAfterStart(slot.state.permission),
        value: source.capability(),
        readable: source.readable()
      })
    },

    async disable(name) {
      const slot = slotOf(name)
      if (slot.state.status === 'unavailable') return
      await halt(slot, { status: 'off' })
    },

    serving(sensor) {
      for (const slot of slots.values()) {
        if (slot.state.status === 'on' && slot.state.readable.includes(sensor)) return slot.source
      }
      return undefined
    },

    running(name) {
      const slot = slots.get(name)
      return slot?.state.status === 'on' ? slot.source : undefined
    },

    knows(sensor) {
      const base = sensor.split('.')[0]
      return [...slots.keys()].some((name) => name === base)
    },

    lastError: () => publishError,

    async stop() {
      for (const slot of slots.values()) {
        if (slot.state.status === 'on' || slot.state.status === 'starting')
          await halt(slot, { status: 'off' })
      }
      stopped = true
      for (const w of await Promise.all([...slots.values()].map((s) => s.watch))) w.close()
    }
  }
}
