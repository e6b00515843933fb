import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Locator, Page } from '@playwright/test'
import { expect, test } from '../fixtures.ts'

/**
 * A device's /sys as the kernel documents it (sysfs-class-thermal, sysfs-bus-iio): a SoC
 * thermal zone in millidegrees and a BME280 with processed channels.
 */
const TREE: Record<string, string> = {
  'sys/class/thermal/thermal_zone0/type': 'cpu-thermal\n',
  'sys/class/thermal/thermal_zone0/temp': '51234\n',
  'sys/bus/iio/devices/iio:device0/name': 'bme280\n',
  'sys/bus/iio/devices/iio:device0/in_temp_input': '23450\n',
  'sys/bus/iio/devices/iio:device0/in_humidityrelative_input': '41250\n',
  'sys/bus/iio/devices/iio:device0/in_pressure_input': '101.325\n'
}

async function fakeTree(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'mesh-e2e-tree-'))
  for (const [path, body] of Object.entries(TREE)) {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeFile(join(root, path), body)
  }
  return root
}

function peerRow(page: Page, id: string): Locator {
  return page.locator(`[data-testid="peer-row"][data-peer-id="${id}"]`)
}

/** Run a task from the page's Tasks panel on one peer; resolves to the JSON it shows. */
async function runOn(page: Page, task: string, peer: string, args: string): Promise<unknown> {
  const next = (await page.getByTestId('task-run-row').count()) + 1
  await page.getByTestId('task-name').selectOption(task)
  await page.getByTestId('task-target').selectOption(peer)
  await page.getByTestId('task-args').fill(args)
  await page.getByTestId('task-run').click()
  const row = page.locator(`[data-testid="task-run-row"][data-run-id="${next}"]`)
  await expect(row).toHaveAttribute('data-status', /^(done|failed)$/)
  if ((await row.getAttribute('data-status')) === 'failed')
    throw new Error(`the run failed: ${await row.getByTestId('task-error').textContent()}`)
  return JSON.parse((await row.getByTestId('task-result').textContent()) ?? '') as unknown
}

test('the desktop page reads temperatures from a mesh-bridge running on a fake sysfs tree', async ({
  startDevice,
  openPeer
}) => {
  const root = await fakeTree()
  try {
    const device = await startDevice('pi-sensors', ['--root', root, '--no-ffmpeg'])
    const desk = await openPeer('desktop', 'desk')
    await expect(peerRow(desk.page, device.peerId)).toHaveAttribute('data-link', 'webrtc')
    // The registry shows what the tree holds.
    await expect(peerRow(desk.page, device.peerId)).toContainText('humidity')

    const zone = await runOn(desk.page, 'sensor.read', device.peerId, '{"sensor":"thermal.cpu-thermal"}')
    expect(zone).toMatchObject({ sensor: 'thermal.cpu-thermal', value: 51.234, unit: '°C' })

    const list = (await runOn(desk.page, 'sensor.list', device.peerId, '{}')) as Array<{
      id: string
      kind: string
    }>
    const ambient = list.find((s) => s.kind === 'temperature' && s.id.startsWith('iio.'))
    expect(ambient).toBeDefined()
    const air = await runOn(desk.page, 'sensor.read', device.peerId, JSON.stringify({ sensor: ambient!.id }))
    expect(air).toMatchObject({ value: 23.45, unit: '°C' })

    // A value that changes on the device is read anew.
    await writeFile(join(root, 'sys/class/thermal/thermal_zone0/temp'), '60500\n')
    expect(
      await runOn(desk.page, 'sensor.read', device.peerId, '{"sensor":"thermal.cpu-thermal"}')
    ).toMatchObject({
      value: 60.5
    })
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})
