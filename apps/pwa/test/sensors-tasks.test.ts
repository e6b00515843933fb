import type { Needs, TaskHandler } from 'mesh-core'
import { describe, expect, it } from 'vitest'
import { sensorHub } from '../src/sensors/hub'
import {
  captureTaskName,
  defineSensorTasks,
  firstReading,
  readTaskName,
  streamTaskName
} from '../src/sensors/tasks'
import { offersCapture, offersStream, pickablePeers, streamableSensors } from '../src/sensors/remote'
import type { Sample, SensorSource } from '../src/sensors/types'
import type { PeerInfo } from 'mesh-core'

function motionSource(latest: () => Sample | undefined): SensorSource {
  return {
    name: 'motion',
    permission: undefined,
    available: () => true,
    start: () => Promise.resolve(),
    stop: () => undefined,
    read: () => latest(),
    subscribe: () => () => undefined,
    readable: () => ['motion'],
    capability: () => true,
    onChange: () => () => undefined,
    onFailure: () => () => undefined
  }
}

function setup() {
  const defined = new Map<string, { handler: TaskHandler; needs: Needs | undefined }>()
  let caps = {}
  const mesh = {
    capabilities: () => caps,
    advertise: (c: Record<string, never>, o: { replace?: boolean } = {}) => {
      caps = o.replace === true ? c : { ...caps, ...c }
      return Promise.resolve()
    },
    define: (name: string, handler: TaskHandler, o: { needs?: Needs } = {}) =>
      void defined.set(name, { handler, needs: o.needs })
  }
  const hub = sensorHub(mesh, {
    sources: [motionSource(() => ({ sensor: 'motion', value: [0, 0, 9.8], unit: 'm/s²', at: 1 }))]
  })
  defineSensorTasks(mesh, hub)
  const ctx = {
    from: 'peer',
    signal: new AbortController().signal,
    attempt: 1,
    idempotencyKey: 'k',
    emit: () => undefined,
    progress: () => undefined
  }
  const run = (name: string, args: unknown): Promise<unknown> =>
    Promise.resolve().then(() => defined.get(name)?.handler(args, ctx))
  return { defined, hub, run }
}

describe('the sensor tasks', () => {
  it('are offered only while their sensors run', () => {
    const { defined } = setup()
    expect(defined.get(captureTaskName)?.needs).toEqual({ camera: true })
    expect(defined.get(readTaskName)?.needs).toEqual({ sensors: true })
    expect(defined.get(streamTaskName)?.needs).toEqual({ sensors: true })
  })

  it('sensor.read answers the latest reading of a running sensor', async () => {
    const { hub, run } = setup()
    await hub.enable('motion')
    await expect(run(readTaskName, { sensor: 'motion' })).resolves.toEqual({
      sensor: 'motion',
      value: [0, 0, 9.8],
      unit: 'm/s²',
      at: 1
    })
  })

  it('refuses a sensor that is off, one that does not exist, and bad arguments', async () => {
    const { run } = setup()
    await expect(run(readTaskName, { sensor: 'motion' })).rejects.toMatchObject({ name: 'SensorOffError' })
    await expect(run(readTaskName, { sensor: 'sonar' })).rejects.toMatchObject({
      name: 'SensorUnavailableError'
    })
    await expect(run(streamTaskName, { sensor: 'motion', rateHz: -1 })).rejects.toMatchObject({
      name: 'InvalidSensorArgsError'
    })
    await expect(run(captureTaskName, { width: 10 })).rejects.toMatchObject({
      name: 'InvalidSensorArgsError'
    })
    await expect(run(captureTaskName, {})).rejects.toMatchObject({ name: 'SensorOffError' })
  })

  it('firstReading waits for a just-started sensor, and gives up', async () => {
    let push: (s: Sample) => void = () => undefined
    const source = {
      read: () => undefined,
      subscribe: (fn: (s: Sample) => void) => {
        push = fn
        return () => undefined
      }
    }
    const waiting = firstReading(source, 'motion', new AbortController().signal, 1_000)
    push({ sensor: 'other', value: 1, at: 1 })
    push({ sensor: 'motion', value: 2, at: 2 })
    await expect(waiting).resolves.toMatchObject({ value: 2 })
    await expect(firstReading(source, 'motion', new AbortController().signal, 1)).rejects.toMatchObject({
      name: 'SensorUnavailableError'
    })
  })
})

describe('finding peers with sensors', () => {
  const peer = (id: string, capabilities: PeerInfo['capabilities']): PeerInfo =>
    ({ id, name: id, capabilities, status: 'healthy' }) as PeerInfo

  it('filters by capability and the task', () => {
    const phone = { camera: true, sensors: ['motion'], tasks: ['camera.capture', 'sensor.stream'] }
    expect(offersCapture(phone)).toBe(true)
    expect(offersCapture({ camera: true, tasks: ['chat.post'] })).toBe(false)
    expect(offersStream(phone, 'motion')).toBe(true)
    expect(offersStream(phone, 'orientation')).toBe(false)
    expect(streamableSensors({ sensors: ['motion'] })).toEqual([])
    const peers = [peer('a', phone), peer('b', { tasks: ['chat.post'] })]
    expect(pickablePeers(undefined, peers, offersCapture)).toEqual([{ id: 'a', label: 'a' }])
    expect(pickablePeers({ id: 'me', name: 'me', capabilities: phone }, peers, offersCapture)).toEqual([
      { id: 'me', label: 'me (this peer)' },
      { id: 'a', label: 'a' }
    ])
  })
})
