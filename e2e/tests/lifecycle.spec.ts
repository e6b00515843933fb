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

// A closing tab fires pagehide; the page says goodbye then. (Timing goals live in the
// benchmarks; this checks that the leave is announced, not timed out.) Chromium: over
// WebDriver BiDi, Playwright's close() discards a Firefox page without unload events.
test('a closed tab is announced as a leave to the others', async ({ openPeer }) => {
  const watcher = await openPeer('desktop', 'watcher')
  const leaver = await openPeer('phone', 'leaver')
  await expect(row(watcher, leaver.peerId)).toHaveAttribute('data-link', 'webrtc')
  // Listen before closing: a goodbye can arrive within milliseconds.
  await watcher.page.evaluate((id) => {
    const w = window as unknown as {
      __mesh: { on(e: 'peer:leave', f: (d: { id: string; reason: string }) => void): void }
      __leave?: string
    }
    w.__mesh.on('peer:leave', (d) => {
      if (d.id === id) w.__leave = d.reason
    })
  }, leaver.peerId)
  await leaver.page.close()
  await expect
    .poll(() => watcher.page.evaluate(() => (window as unknown as { __leave?: string }).__leave))
    .toBe('normal')
  await expect(row(watcher, leaver.peerId)).toHaveCount(0)
})
