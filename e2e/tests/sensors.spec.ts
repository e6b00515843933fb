import type { CDPSession, Locator, Page } from '@playwright/test'
import { expect, test } from '../fixtures.ts'
import type { Peer } from '../fixtures.ts'

/** What these tests read of the page's live peer (`window.__mesh`). */
interface PageMesh {
  capabilities(peerId?: string): Record<string, unknown>
  advertise(caps: Record<string, unknown>): Promise<void>
}

type SensorsWindow = Window & { __mesh?: PageMesh }

/** An acceleration the phone's accelerometer is overridden to; multiples of 0.5 survive Chromium's rounding. */
const still = { x: 1.5, y: -2.5, z: 9.5 }
const tilted = { x: -3, y: 4, z: 8 }

function peerRow(page: Page, id: string): Locator {
  return page.locator(`[data-testid="peer-row"][data-peer-id="${id}"]`)
}

function sensorRow(page: Page, sensor: string): Locator {
  return page.locator(`[data-testid="sensor-row"][data-sensor="${sensor}"]`)
}

/** Another peer's capabilities as `page` sees them in its registry. */
function capabilitiesOf(page: Page, id: string): Promise<Record<string, unknown>> {
  return page.evaluate((peer) => (window as SensorsWindow).__mesh?.capabilities(peer) ?? {}, id)
}

/** Tasks travel over direct links only: wait until both sides list one, as a user waits for the peer list. */
async function linked(from: Peer, to: Peer): Promise<void> {
  await expect(peerRow(from.page, to.peerId)).toHaveAttribute('data-link', 'webrtc')
  await expect(peerRow(to.page, from.peerId)).toHaveAttribute('data-link', 'webrtc')
}

/** Drives the phone page's accelerometer through the DevTools protocol. */
async function overrideAccelerometer(page: Page): Promise<(xyz: typeof still) => Promise<void>> {
  const cdp: CDPSession = await page.context().newCDPSession(page)
  await cdp.send('Emulation.setSensorOverrideEnabled', { enabled: true, type: 'accelerometer' })
  return async (xyz) => {
    await cdp.send('Emulation.setSensorOverrideReadings', { type: 'accelerometer', reading: { xyz } })
  }
}

/** The last value the desktop's plot shows, as numbers. */
async function lastShown(view: Locator): Promise<number[]> {
  const last = await view.getAttribute('data-last')
  return last === null || last === '' ? [] : (JSON.parse(last) as number[])
}

function near(values: number[], xyz: typeof still): boolean {
  const want = [xyz.x, xyz.y, xyz.z]
  return values.length === 3 && values.every((v, i) => Math.abs(v - (want[i] ?? NaN)) < 0.051)
}

test('the desktop captures a picture with the phone camera and shows it', async ({ openPeer }) => {
  const phone = await openPeer('phone', 'pixel')
  const desk = await openPeer('desktop', 'desk')

  // Off by default: nothing is advertised until the user turns the camera on.
  await expect(sensorRow(phone.page, 'camera')).toHaveAttribute('data-status', 'off')
  await phone.page.getByTestId('sensor-toggle-camera').click()
  await expect(sensorRow(phone.page, 'camera')).toHaveAttribute('data-status', 'on')
  await expect(sensorRow(phone.page, 'camera')).toHaveAttribute('data-permission', 'granted')
  await linked(desk, phone)

  // The desktop lists the phone once its record says camera: true and camera.capture.
  await desk.page.getByTestId('sensor-capture-peer').selectOption(phone.peerId)
  await desk.page.getByTestId('sensor-capture-width').fill('320')
  await desk.page.getByTestId('sensor-capture-run').click()
  const result = desk.page.getByTestId('sensor-capture-result')
  await expect(result).toHaveAttribute('data-status', 'done')
  await expect(result).toHaveAttribute('data-peer', phone.peerId)
  await expect(result).toHaveAttribute('data-magic', 'ffd8ff')

  const img = desk.page.getByTestId('sensor-capture-img')
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(320)
  // The fake camera's aspect ratio, whatever it is, survives the scaling.
  const height = Number(await result.getAttribute('data-height'))
  expect(height).toBeGreaterThan(0)
  expect(await img.evaluate((i: HTMLImageElement) => i.naturalHeight)).toBe(height)
  // The bytes behind the picture are a JPEG: SOI, then a marker.
  const head = await img.evaluate(async (i: HTMLImageElement) => {
    const bytes = new Uint8Array(await (await fetch(i.src)).arrayBuffer())
    return { magic: [...bytes.subarray(0, 3)], size: bytes.byteLength }
  })
  expect(head.magic).toEqual([0xff, 0xd8, 0xff])
  expect(head.size).toBeGreaterThan(1_000)
  expect(Number(await result.getAttribute('data-bytes'))).toBe(head.size)
})

test('motion streams from the phone into the desktop plot, rate-limited and live', async ({ openPeer }) => {
  const phone = await openPeer('phone', 'pixel')
  const desk = await openPeer('desktop', 'desk')
  const setAccel = await overrideAccelerometer(phone.page)
  await setAccel(still)

  await phone.page.getByTestId('sensor-toggle-motion').click()
  await expect(sensorRow(phone.page, 'motion')).toHaveAttribute('data-status', 'on')
  await linked(desk, phone)

  await desk.page.getByTestId('sensor-stream-peer').selectOption(phone.peerId)
  await desk.page.getByTestId('sensor-stream-sensor').selectOption('motion')
  // Far above the limit: the phone clamps it to 60 Hz.
  await desk.page.getByTestId('sensor-stream-rate').fill('1000')
  await desk.page.getByTestId('sensor-stream-start').click()
  const view = desk.page.getByTestId('sensor-stream-view')
  await expect(view).toHaveAttribute('data-status', 'streaming')
  await expect(view).toHaveAttribute('data-peer', phone.peerId)

  // The last sample shown is the override, and more keep coming.
  await expect.poll(async () => near(await lastShown(view), still)).toBe(true)
  const count = async (): Promise<number> => Number(await view.getAttribute('data-count'))
  const before = await count()
  await expect.poll(count).toBeGreaterThan(before + 20)
  await expect(view.getByTestId('sensor-axis')).toHaveCount(3)
  await expect(view.getByTestId('sensor-stream-last')).toHaveText('1.50, -2.50, 9.50')

  // A new reading on the phone shows up on the desktop.
  await setAccel(tilted)
  await expect.poll(async () => near(await lastShown(view), tilted)).toBe(true)

  // The shown rate, measured over the samples' own times, stays within the 60 Hz limit.
  const rate = async (): Promise<number> =>
    Number.parseFloat((await view.getByTestId('sensor-stream-rate-shown').textContent()) ?? '0')
  await expect.poll(rate).toBeGreaterThan(5)
  expect(await rate()).toBeLessThanOrEqual(66)

  // Stopping cancels the task: the view says so, without an error.
  await desk.page.getByTestId('sensor-stream-stop').click()
  await expect(view).toHaveAttribute('data-status', 'ended')
  await expect(view.getByTestId('sensor-stream-error')).toHaveCount(0)
})

test('turning a sensor off or revoking its permission withdraws it on the other peer', async ({
  openPeer
}) => {
  const phone = await openPeer('phone', 'pixel')
  const desk = await openPeer('desktop', 'desk')
  const setAccel = await overrideAccelerometer(phone.page)
  await setAccel(still)
  // A capability of the user's own, which withdrawing sensors must keep.
  await phone.page.evaluate(() => (window as SensorsWindow).__mesh?.advertise({ colour: 'blue' }))

  await phone.page.getByTestId('sensor-toggle-camera').click()
  await phone.page.getByTestId('sensor-toggle-motion').click()
  await expect(sensorRow(phone.page, 'camera')).toHaveAttribute('data-status', 'on')
  await expect(sensorRow(phone.page, 'motion')).toHaveAttribute('data-status', 'on')
  await linked(desk, phone)
  await expect
    .poll(() => capabilitiesOf(desk.page, phone.peerId))
    .toMatchObject({
      colour: 'blue',
      camera: true,
      motion: true,
      sensors: expect.arrayContaining(['motion']),
      tasks: expect.arrayContaining(['camera.capture', 'sensor.read', 'sensor.stream'])
    })
  const capturePeer = desk.page.locator(`[data-testid="sensor-capture-peer"] option[value="${phone.peerId}"]`)
  await expect(capturePeer).toHaveCount(1)

  // A stream runs while the permission goes away.
  await desk.page.getByTestId('sensor-stream-peer').selectOption(phone.peerId)
  await desk.page.getByTestId('sensor-stream-sensor').selectOption('motion')
  await desk.page.getByTestId('sensor-stream-start').click()
  const view = desk.page.getByTestId('sensor-stream-view')
  await expect.poll(async () => Number(await view.getAttribute('data-count'))).toBeGreaterThan(0)

  // 1. The switch: camera off, and the desktop stops offering the phone's camera.
  await phone.page.getByTestId('sensor-toggle-camera').click()
  await expect(sensorRow(phone.page, 'camera')).toHaveAttribute('data-status', 'off')
  await expect.poll(async () => (await capabilitiesOf(desk.page, phone.peerId)).camera).toBeUndefined()
  await expect(capturePeer).toHaveCount(0)
  const afterCamera = await capabilitiesOf(desk.page, phone.peerId)
  expect(afterCamera.tasks).not.toContain('camera.capture')
  expect(afterCamera).toMatchObject({ colour: 'blue', motion: true })

  // 2. The permission: the browser denies the accelerometer, as a user revoking it in settings.
  const cdp = await phone.page.context().newCDPSession(phone.page)
  const { targetInfo } = await cdp.send('Target.getTargetInfo')
  await cdp.send('Browser.setPermission', {
    permission: { name: 'accelerometer' },
    setting: 'denied',
    origin: new URL(phone.page.url()).origin,
    ...(targetInfo.browserContextId !== undefined && { browserContextId: targetInfo.browserContextId })
  })
  await expect(sensorRow(phone.page, 'motion')).toHaveAttribute('data-status', /^(denied|failed)$/)
  await expect(sensorRow(phone.page, 'motion')).toHaveAttribute('data-permission', 'denied')
  await expect.poll(async () => (await capabilitiesOf(desk.page, phone.peerId)).motion).toBeUndefined()
  const after = await capabilitiesOf(desk.page, phone.peerId)
  expect(after.sensors).toBeUndefined()
  expect(after.tasks).not.toContain('sensor.stream')
  expect(after.colour).toBe('blue')
  // The running stream ends with the reason rather than going quiet.
  await expect(view).toHaveAttribute('data-status', 'failed')
  await expect(view.getByTestId('sensor-stream-error')).toContainText('SensorOffError')
  // The phone's own record agrees, and never carried mesh-managed keys of ours.
  const own = await phone.page.evaluate(() => (window as SensorsWindow).__mesh?.capabilities() ?? {})
  expect(own).toMatchObject({ colour: 'blue' })
  expect(own.motion).toBeUndefined()
  expect(own.camera).toBeUndefined()
})
