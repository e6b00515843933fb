import type { Capabilities } from 'mesh-core'
import { describe, expect, it, vi } from 'vitest'
import {
  nextAdvertisement,
  permissionAfterStart,
  revokedBy,
  sensorCapabilities
} from '../src/sensors/capabilities'
import type { SensorState } from '../src/sensors/capabilities'
import { sensorHub } from '../src/sensors/hub'
import type { PermissionsLike } from '../src/sensors/permission'
import type { Sample, SensorName, SensorSource } from '../src/sensors/types'

/** A `PermissionStatus` whose state the test changes, firing `change` like a browser. */
class FakePermissionStatus extends EventTarget {
  constructor(public state: string) {
    super()
  }
  set(state: string): void {
    this.state = state
    this.dispatchEvent(new Event('change'))
  }
}

function fakePermissions(states: Record<string, string>) {
  const statuses = new Map<string, FakePermissionStatus>()
  const permissions: PermissionsLike = {
    query: ({ name }) => {
      const state = states[name]
      if (state === undefined) return Promise.reject(new TypeError(`unknown permission ${name}`))
      let s = statuses.get(name)
      if (s === undefined) statuses.set(name, (s = new FakePermissionStatus(state)))
      return Promise.resolve(s)
    }
  }
  return { permissions, status: (name: string) => statuses.get(name) }
}

/** A sensor module that starts (or refuses) on command and can fail on its own. */
function fakeSource(name: SensorName, o: { permission?: string; refuse?: string; value?: number } = {}) {
  const failures = new Set<(r: string) => void>()
  const changes = new Set<() => void>()
  let value = o.value ?? 1
  const calls: string[] = []
  const source: SensorSource = {
    name,
    permission: o.permission,
    available: () => true,
    start: () => {
      calls.push('start')
      if (o.refuse === undefined) return Promise.resolve()
      const err = new Error('no')
      err.name = o.refuse
      return Promise.reject(err)
    },
    stop: () => void calls.push('stop'),
    read: (sensor): Sample => ({ sensor, value, at: 1 }),
    subscribe: () => () => undefined,
    // Like the real camera: captured, never read.
    readable: () => (name === 'camera' ? [] : [name]),
    capability: () => (name === 'battery' ? value : true),
    onChange: (fn) => {
      changes.add(fn)
      return () => changes.delete(fn)
    },
    onFailure: (fn) => {
      failures.add(fn)
      return () => failures.delete(fn)
    }
  }
  return {
    source,
    calls,
    fail: (reason: string) => [...failures].forEach((fn) => fn(reason)),
    setValue: (v: number) => {
      value = v
      changes.forEach((fn) => fn())
    }
  }
}

/** A mesh that merges or replaces like mesh-core, adding `tasks` and `actors` it manages itself. */
function fakeMesh(initial: Capabilities = {}) {
  let caps: Capabilities = { ...initial }
  const calls: Array<{ caps: Capabilities; replace: boolean }> = []
  return {
    calls,
    own: () => caps,
    mesh: {
      capabilities: (): Capabilities => ({ ...caps, tasks: ['chat.post'], actors: ['music.session'] }),
      advertise: (next: Capabilities, o: { replace?: boolean } = {}): Promise<void> => {
        calls.push({ caps: next, replace: o.replace === true })
        caps = o.replace === true ? { ...next } : { ...caps, ...next }
        return Promise.resolve()
      }
    }
  }
}

function state(name: SensorName, patch: Partial<SensorState> = {}): SensorState {
  return { name, status: 'on', permission: 'granted', value: true, readable: [name], ...patch }
}

describe('capabilities from sensor states', () => {
  it('advertises running sensors whose permission allows it, and the sensor ids they serve', () => {
    expect(
      sensorCapabilities([
        state('camera', { readable: [] }),
        state('motion', { readable: ['motion', 'motion.rotation'] }),
        state('battery', { permission: 'unsupported', value: 87, readable: ['battery'] }),
        state('microphone', { permission: 'denied' }),
        state('geolocation', { permission: 'prompt' }),
        state('orientation', { status: 'off' }),
        state('network', { status: 'failed' })
      ])
    ).toEqual({ camera: true, motion: true, battery: 87, sensors: ['battery', 'motion', 'motion.rotation'] })
  })

  it('has no sensors key when nothing is readable', () => {
    expect(sensorCapabilities([state('camera', { readable: [] })])).toEqual({ camera: true })
    expect(sensorCapabilities([])).toEqual({})
  })

  it('reads a successful start as a grant, and any change away from granted as a revoke', () => {
    expect(permissionAfterStart('prompt')).toBe('granted')
    expect(permissionAfterStart('granted')).toBe('granted')
    expect(permissionAfterStart('unsupported')).toBe('unsupported')
    expect(revokedBy('denied')).toBe(true)
    expect(revokedBy('prompt')).toBe(true)
    expect(revokedBy('granted')).toBe(false)
  })
})

describe('nextAdvertisement', () => {
  const managed = ['camera', 'motion', 'sensors']
  const current = {
    colour: 'blue',
    camera: true,
    motion: true,
    sensors: ['motion'],
    tasks: ['x'],
    actors: ['y']
  }

  it('merges only what changed when nothing is withdrawn', () => {
    expect(nextAdvertisement({ colour: 'blue' }, managed, { camera: true })).toEqual({
      caps: { camera: true },
      replace: false
    })
    expect(
      nextAdvertisement(current, managed, { camera: true, motion: true, sensors: ['motion'] })
    ).toBeUndefined()
  })

  it('replaces to withdraw, keeping the user’s keys and never sending tasks or actors', () => {
    expect(nextAdvertisement(current, managed, { motion: true, sensors: ['motion'] })).toEqual({
      caps: { colour: 'blue', motion: true, sensors: ['motion'] },
      replace: true
    })
    expect(nextAdvertisement(current, managed, {})).toEqual({ caps: { colour: 'blue' }, replace: true })
  })
})

describe('the sensor hub', () => {
  it('advertises a sensor once on, and withdraws it when turned off', async () => {
    const { mesh, own, calls } = fakeMesh({ colour: 'blue' })
    const motion = fakeSource('motion', { permission: 'accelerometer' })
    const { permissions } = fakePermissions({ accelerometer: 'granted' })
    const hub = sensorHub(mesh, { sources: [motion.source], permissions })
    await hub.enable('motion')
    expect(own()).toEqual({ colour: 'blue', motion: true, sensors: ['motion'] })
    expect(hub.serving('motion')).toBe(motion.source)
    await hub.disable('motion')
    expect(own()).toEqual({ colour: 'blue' })
    expect(motion.calls).toEqual(['start', 'stop'])
    // The withdrawal replaced the set without mesh-managed keys.
    expect(calls.at(-1)).toEqual({ caps: { colour: 'blue' }, replace: true })
    expect(hub.serving('motion')).toBeUndefined()
  })

  it('withdraws and stops a sensor live when its permission is revoked', async () => {
    const { mesh, own } = fakeMesh()
    const camera = fakeSource('camera', { permission: 'camera' })
    const { permissions, status } = fakePermissions({ camera: 'prompt' })
    const hub = sensorHub(mesh, { sources: [camera.source], permissions })
    await hub.enable('camera')
    // A one-time grant: the query still says prompt, the start proved the grant.
    expect(hub.states()[0]).toMatchObject({ status: 'on', permission: 'granted' })
    expect(own()).toEqual({ camera: true })
    status('camera')?.set('denied')
    await vi.waitFor(() => expect(own()).toEqual({}))
    expect(hub.states()[0]).toMatchObject({ status: 'denied', permission: 'denied' })
    expect(camera.calls).toEqual(['start', 'stop'])
  })

  it('withdraws a sensor that fails on its own (a track ended)', async () => {
    const { mesh, own } = fakeMesh()
    const camera = fakeSource('camera', { permission: 'camera' })
    const hub = sensorHub(mesh, {
      sources: [camera.source],
      permissions: fakePermissions({ camera: 'granted' }).permissions
    })
    await hub.enable('camera')
    camera.fail('the camera track ended')
    await vi.waitFor(() => expect(own()).toEqual({}))
    expect(hub.states()[0]).toMatchObject({ status: 'failed', error: 'the camera track ended' })
  })

  it('marks a refused start denied, and advertises nothing', async () => {
    const { mesh, own, calls } = fakeMesh()
    const mic = fakeSource('microphone', { permission: 'microphone', refuse: 'NotAllowedError' })
    const hub = sensorHub(mesh, {
      sources: [mic.source],
      permissions: fakePermissions({ microphone: 'prompt' }).permissions
    })
    await hub.enable('microphone')
    expect(hub.states()[0]).toMatchObject({ status: 'denied' })
    expect(own()).toEqual({})
    expect(calls).toEqual([])
  })

  it('works where the Permissions API does not know the name, and re-advertises changed values', async () => {
    const { mesh, own } = fakeMesh()
    const battery = fakeSource('battery', { permission: 'battery', value: 80 })
    const hub = sensorHub(mesh, { sources: [battery.source], permissions: fakePermissions({}).permissions })
    await hub.enable('battery')
    expect(own()).toEqual({ battery: 80, sensors: ['battery'] })
    battery.setValue(79)
    await vi.waitFor(() => expect(own()).toEqual({ battery: 79, sensors: ['battery'] }))
  })

  it('does not undo a capability the editor set meanwhile', async () => {
    const { mesh, own } = fakeMesh()
    const motion = fakeSource('motion', { permission: 'accelerometer' })
    const hub = sensorHub(mesh, {
      sources: [motion.source],
      permissions: fakePermissions({ accelerometer: 'granted' }).permissions
    })
    await hub.enable('motion')
    const off = hub.disable('motion')
    // The editor adds a key while our withdrawal is queued.
    await mesh.advertise({ gpu: 2 })
    await off
    expect(own()).toEqual({ gpu: 2 })
  })

  it('lets a later toggle win over a start still in flight', async () => {
    const { mesh, own } = fakeMesh()
    let finish: () => void = () => undefined
    const slow = fakeSource('geolocation', { permission: 'geolocation' })
    slow.source.start = () => new Promise<void>((resolve) => (finish = resolve))
    const hub = sensorHub(mesh, {
      sources: [slow.source],
      permissions: fakePermissions({ geolocation: 'granted' }).permissions
    })
    const on = hub.enable('geolocation')
    await vi.waitFor(() => expect(hub.states()[0]?.status).toBe('starting'))
    await hub.disable('geolocation')
    finish()
    await on
    expect(hub.states()[0]?.status).toBe('off')
    expect(own()).toEqual({})
  })
})
