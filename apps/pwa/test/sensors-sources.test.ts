// The browser sensor sources against stand-ins of the browser APIs they use: iOS's motion
// and orientation permission requests, the microphone level, geolocation, battery, network
// information and the screen wake lock. (The camera and Chromium's emulated motion run for real in
// e2e/tests/sensors.spec.ts.)
import { afterEach, describe, expect, it, vi } from 'vitest'
import { batterySource } from '../src/sensors/sources/battery'
import { geolocationSource } from '../src/sensors/sources/geolocation'
import { levelOf } from '../src/sensors/sources/level'
import { microphoneSensor, microphoneSource } from '../src/sensors/sources/microphone'
import { accelSensor, motionSource, rotationSensor } from '../src/sensors/sources/motion'
import { networkSource } from '../src/sensors/sources/network'
import { orientationSensor, orientationSource } from '../src/sensors/sources/orientation'
import { wakeLockSource } from '../src/sensors/sources/wake-lock'

afterEach(() => {
  vi.unstubAllGlobals()
})

/** A page without the Generic Sensor API, as Safari on iOS: window events only. */
function iosPage(event: 'DeviceMotionEvent' | 'DeviceOrientationEvent', answer: 'granted' | 'denied') {
  const page = new EventTarget()
  const requestPermission = vi.fn(() => Promise.resolve(answer))
  vi.stubGlobal('window', page)
  vi.stubGlobal(
    event,
    Object.assign(function () {}, { requestPermission })
  )
  return { page, requestPermission }
}

const event = (type: string, fields: object): Event => Object.assign(new Event(type), fields)

describe('motion and orientation on iOS', () => {
  it('ask DeviceMotionEvent.requestPermission() inside the click, and stream once granted', async () => {
    const { page, requestPermission } = iosPage('DeviceMotionEvent', 'granted')
    const motion = motionSource()
    const started = motion.start()
    // Synchronously, before start() awaits anything: iOS refuses a request made later.
    expect(requestPermission).toHaveBeenCalledTimes(1)
    await started
    page.dispatchEvent(
      event('devicemotion', {
        accelerationIncludingGravity: { x: 0, y: 0, z: 9.8 },
        rotationRate: { alpha: 0, beta: 90, gamma: 0 }
      })
    )
    expect(motion.read(accelSensor)).toMatchObject({ value: [0, 0, 9.8], unit: 'm/s²' })
    // 90 deg/s about x, in rad/s as the Generic Sensor API has it (samples keep 4 decimals).
    expect(motion.read(rotationSensor)).toMatchObject({ value: [1.5708, 0, 0], unit: 'rad/s' })
    motion.stop()
  })

  it('refuse to start when motion is denied, and listen to nothing', async () => {
    const { page } = iosPage('DeviceMotionEvent', 'denied')
    const motion = motionSource()
    await expect(motion.start()).rejects.toMatchObject({ name: 'SensorPermissionError' })
    page.dispatchEvent(event('devicemotion', { accelerationIncludingGravity: { x: 1, y: 2, z: 3 } }))
    expect(motion.read(accelSensor)).toBeUndefined()
  })

  it('ask DeviceOrientationEvent.requestPermission() the same way for orientation', async () => {
    const { page, requestPermission } = iosPage('DeviceOrientationEvent', 'granted')
    const orientation = orientationSource()
    const started = orientation.start()
    expect(requestPermission).toHaveBeenCalledTimes(1)
    await started
    page.dispatchEvent(event('deviceorientation', { alpha: 10, beta: 20, gamma: 30 }))
    expect(orientation.read(orientationSensor)).toMatchObject({ value: [10, 20, 30], unit: 'deg' })
    orientation.stop()

    iosPage('DeviceOrientationEvent', 'denied')
    await expect(orientationSource().start()).rejects.toMatchObject({ name: 'SensorPermissionError' })
  })
})

describe('geolocation', () => {
  const PERMISSION_DENIED = 1
  function fakeGeolocation() {
    let onPosition: PositionCallback = () => {}
    let onError: PositionErrorCallback = () => {}
    const geolocation = {
      watchPosition: vi.fn((ok: PositionCallback, fail: PositionErrorCallback) => {
        onPosition = ok
        onError = fail ?? (() => {})
        return 7
      }),
      clearWatch: vi.fn()
    }
    vi.stubGlobal('navigator', { geolocation })
    const fix = (latitude: number, longitude: number, accuracy: number): void =>
      onPosition({ timestamp: 1, coords: { latitude, longitude, accuracy } } as GeolocationPosition)
    const deny = (): void =>
      onError({ code: PERMISSION_DENIED, PERMISSION_DENIED, message: 'denied' } as GeolocationPositionError)
    return { geolocation, fix, deny }
  }

  it('starts with the first fix and serves position and accuracy', async () => {
    const { fix } = fakeGeolocation()
    const geo = geolocationSource()
    const started = geo.start()
    fix(52.5, 13.4, 12)
    await started
    expect(geo.read('geolocation')).toMatchObject({ value: [52.5, 13.4], unit: 'deg' })
    expect(geo.read('geolocation.accuracy')).toMatchObject({ value: 12, unit: 'm' })
  })

  it('fails to start when denied, and fails live when the permission is revoked later', async () => {
    const first = fakeGeolocation()
    const refused = geolocationSource()
    const starting = refused.start()
    first.deny()
    await expect(starting).rejects.toMatchObject({ name: 'SensorPermissionError' })
    expect(first.geolocation.clearWatch).toHaveBeenCalledWith(7)

    const later = fakeGeolocation()
    const geo = geolocationSource()
    const failures: string[] = []
    geo.onFailure((reason) => failures.push(reason))
    const started = geo.start()
    later.fix(1, 2, 3)
    await started
    later.deny()
    expect(failures).toEqual(['geolocation permission was not granted'])
  })
})

describe('battery and network information', () => {
  it('battery: advertises the whole percent and re-advertises when it changes', async () => {
    const battery = Object.assign(new EventTarget(), { level: 0.5, charging: false })
    vi.stubGlobal('navigator', { getBattery: () => Promise.resolve(battery) })
    const source = batterySource()
    const changes = vi.fn()
    source.onChange(changes)
    await source.start()
    expect(source.capability()).toBe(50)
    expect(source.read('battery.charging')).toMatchObject({ value: false })
    battery.level = 0.42
    battery.dispatchEvent(new Event('levelchange'))
    expect(source.capability()).toBe(42)
    expect(changes).toHaveBeenCalledTimes(1)
  })

  it('network: advertises the effective type and serves downlink and round trip', async () => {
    const connection = Object.assign(new EventTarget(), { effectiveType: '4g', downlink: 10, rtt: 50 })
    vi.stubGlobal('navigator', { connection })
    const source = networkSource()
    const changes = vi.fn()
    source.onChange(changes)
    await source.start()
    expect(source.capability()).toBe('4g')
    expect(source.read('network.downlink')).toMatchObject({ value: 10, unit: 'Mbit/s' })
    expect(source.read('network.rtt')).toMatchObject({ value: 50, unit: 'ms' })
    connection.effectiveType = '3g'
    connection.dispatchEvent(new Event('change'))
    expect(source.capability()).toBe('3g')
    expect(changes).toHaveBeenCalledTimes(1)
  })
})

describe('screen wake lock', () => {
  function fakeWakeLock() {
    const sentinel = Object.assign(new EventTarget(), {
      release: vi.fn(() => {
        sentinel.dispatchEvent(new Event('release'))
        return Promise.resolve()
      })
    })
    const request = vi.fn(() => Promise.resolve(sentinel))
    vi.stubGlobal('navigator', { wakeLock: { request } })
    return { sentinel, request }
  }

  it('holds the lock while on and releases it on stop, without counting that as a failure', async () => {
    const { sentinel, request } = fakeWakeLock()
    const lock = wakeLockSource()
    const failures = vi.fn()
    lock.onFailure(failures)
    await lock.start()
    expect(request).toHaveBeenCalledWith('screen')
    lock.stop()
    expect(sentinel.release).toHaveBeenCalledTimes(1)
    expect(failures).not.toHaveBeenCalled()
  })

  it('fails when the browser releases the lock itself (the page was hidden)', async () => {
    const { sentinel } = fakeWakeLock()
    const lock = wakeLockSource()
    const failures: string[] = []
    lock.onFailure((reason) => failures.push(reason))
    await lock.start()
    sentinel.dispatchEvent(new Event('release'))
    expect(failures).toEqual(['the wake lock was released'])
  })
})

describe('microphone level', () => {
  function fakeAudio(mic: Promise<MediaStream>) {
    const closed = vi.fn(() => Promise.resolve())
    const analyser = {
      fftSize: 0,
      getFloatTimeDomainData: (block: Float32Array) => block.fill(0.25)
    }
    class FakeAudioContext {
      state = 'running'
      close = closed
      createAnalyser = () => analyser
      createMediaStreamSource = () => ({ connect: () => {} })
    }
    vi.stubGlobal('AudioContext', FakeAudioContext)
    vi.stubGlobal('navigator', { mediaDevices: { getUserMedia: () => mic } })
    return { closed }
  }

  it('publishes the level of what getUserMedia hears, and fails when the track ends', async () => {
    const track = Object.assign(new EventTarget(), { stop: vi.fn() })
    const { closed } = fakeAudio(Promise.resolve({ getTracks: () => [track] } as unknown as MediaStream))
    const mic = microphoneSource()
    const failures: string[] = []
    mic.onFailure((reason) => failures.push(reason))
    const first = new Promise((resolve) => mic.subscribe(resolve))
    await mic.start()
    const level = levelOf(new Float32Array(2_048).fill(0.25))
    expect(level).toBeGreaterThan(0)
    // Samples keep 4 decimals.
    expect(await first).toMatchObject({ sensor: microphoneSensor, value: Math.round(level * 1e4) / 1e4 })
    track.dispatchEvent(new Event('ended'))
    expect(failures).toEqual(['the microphone track ended'])
    mic.stop()
    expect(track.stop).toHaveBeenCalled()
    expect(closed).toHaveBeenCalled()
  })

  it('refuses to start when the microphone is denied, and closes its audio context', async () => {
    const denied = Object.assign(new Error('denied'), { name: 'NotAllowedError' })
    const { closed } = fakeAudio(Promise.reject(denied))
    await expect(microphoneSource().start()).rejects.toMatchObject({ name: 'NotAllowedError' })
    expect(closed).toHaveBeenCalled()
  })
})
