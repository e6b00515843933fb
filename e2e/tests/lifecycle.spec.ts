import type { Locator } from '@playwright/test'
import { expect, test } from '../fixtures.ts'
import type { Peer } from '../fixtures.ts'

function row(p: Peer, id: string): Locator {
  return p.page.locator(`[data-testid="peer-row"][data-peer-id="${id}"]`)
}

test('a hidden tab shows as paused, not dead, and healthy again when visible', async ({ openPeer }) => {
  const watcher = await openPeer('desktop', 'watcher')
  const phone = await openPeer('phone', 'phone')
  await expect(row(watcher, phone.peerId)).toHaveAttribute('data-status', 'healthy')
  const setHidden = (hidden: boolean): Promise<void> =>
    phone.page.evaluate((h) => {
      Object.defineProperty(document, 'visibilityState', {
        configurable: true,
        get: () => (h ? 'hidden' : 'visible')
      })
      document.dispatchEvent(new Event('visibilitychange'))
    }, hidden)
  await setHidden(true)
  await expect(row(watcher, phone.peerId)).toHaveAttribute('data-status', 'paused')
  await setHidden(false)
  await expect(row(watcher, phone.peerId)).toHaveAttribute('data-status', 'healthy')
})

test('closing a tab is seen as a leave by the others in under a second', async ({ openPeer }) => {
  const watcher = await openPeer('desktop', 'watcher')
  const leaver = await openPeer('firefox', 'leaver')
  await expect(row(watcher, leaver.peerId)).toHaveAttribute('data-link', 'webrtc')
  await leaver.page.close()
  await expect(row(watcher, leaver.peerId)).toHaveCount(0, { timeout: 1_000 })
})
