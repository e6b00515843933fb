import { cpus } from 'node:os'
import type { Locator } from '@playwright/test'
import { expect, listedPeers, test } from '../fixtures.ts'
import type { Peer } from '../fixtures.ts'

function row(p: Peer, id: string): Locator {
  return p.page.locator(`[data-testid="peer-row"][data-peer-id="${id}"]`)
}

test('every peer sees every other: Chromium desktop, a phone, Firefox and a device', async ({
  relay,
  openPeer,
  startDevice
}) => {
  const device = await startDevice('pi-e2e')
  const desktop = await openPeer('desktop', 'desk')
  const phone = await openPeer('phone', 'phone')
  const fox = await openPeer('firefox', 'fox')
  const browsers = [desktop, phone, fox]
  const everyone = [...browsers.map((b) => b.peerId), device.peerId, relay.peerId]
  for (const b of browsers) {
    for (const other of everyone.filter((id) => id !== b.peerId)) {
      await expect(row(b, other), `${b.name} lists ${other}`).toBeVisible()
    }
    await expect.poll(() => listedPeers(b.page)).toHaveLength(everyone.length - 1)
  }
  await expect
    .poll(() => [...device.joined].sort())
    .toEqual(everyone.filter((id) => id !== device.peerId).sort())
  // Browsers and the device talk over direct WebRTC, not through the relay.
  for (const b of browsers) {
    for (const other of [...browsers.filter((x) => x !== b).map((x) => x.peerId), device.peerId]) {
      await expect(row(b, other), `${b.name} → ${other} is direct`).toHaveAttribute('data-link', 'webrtc')
    }
  }
})

test('Chromium and Firefox keep exchanging messages over direct WebRTC after the relay stops', async ({
  relay,
  openPeer
}) => {
  const desk = await openPeer('desktop', 'desk')
  const fox = await openPeer('firefox', 'fox')
  await expect(row(desk, fox.peerId)).toHaveAttribute('data-link', 'webrtc')
  await expect(row(fox, desk.peerId)).toHaveAttribute('data-link', 'webrtc')

  await relay.close()
  // Both see the relay go, and still see each other, healthy, over WebRTC.
  await expect(row(desk, relay.peerId)).toHaveCount(0)
  await expect(row(fox, relay.peerId)).toHaveCount(0)
  await expect(row(desk, fox.peerId)).toHaveAttribute('data-link', 'webrtc')
  await expect(row(fox, desk.peerId)).toHaveAttribute('data-status', 'healthy')

  const say = async (from: Peer, to: Peer, text: string): Promise<void> => {
    await from.page.getByTestId('msg-peer').selectOption(to.peerId)
    await from.page.getByTestId('msg-input').fill(text)
    await from.page.getByTestId('msg-send').click()
    await expect(
      to.page
        .locator(`[data-testid="message"][data-direction="in"][data-from="${from.peerId}"]`)
        .filter({ hasText: text })
    ).toBeVisible()
  }
  await say(desk, fox, 'hello from chromium, no relay')
  await say(fox, desk, 'hello back from firefox')
  await say(desk, fox, 'and again')
})

test('the phone lists the device and its capabilities', async ({ openPeer, startDevice }) => {
  const device = await startDevice('pi-caps')
  const phone = await openPeer('phone', 'phone')
  const r = row(phone, device.peerId)
  await expect(r).toBeVisible()
  await expect(r).toHaveAttribute('data-peer-name', 'pi-caps')
  await expect(r).toHaveAttribute('data-role', 'device')
  const caps = r.getByTestId('cap')
  await expect(caps.filter({ hasText: `cpu=${cpus().length}` })).toHaveCount(1)
  await expect(caps.filter({ hasText: `platform=${process.platform}` })).toHaveCount(1)
  await expect(caps.filter({ hasText: `arch=${process.arch}` })).toHaveCount(1)
  await expect(caps.filter({ hasText: /^tasks=(.+,)?system\.info(,|$)/ })).toHaveCount(1)
})
