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

interface Leave {
  reason: string
  at: number
}

// The same with a Firefox leaver, seen by a Chromium page, the relay and a device. Playwright's
// close() and goto() do not work here: over WebDriver BiDi, close() discards a Firefox page
// without unload events, and with goto() (a navigation started by the browser) Firefox
// sometimes stops the page's pagehide handler partway, before its goodbye goes out. A page
// that navigates itself away, as a link does, runs pagehide to the end.
test('a Firefox page that navigates away is announced as a leave to every peer', async ({
  openPeer,
  relay,
  startDevice
}) => {
  const device = await startDevice('device')
  const watcher = await openPeer('desktop', 'watcher')
  const fox = await openPeer('firefox', 'fox')
  await expect(row(watcher, fox.peerId)).toHaveAttribute('data-link', 'webrtc')
  await expect.poll(() => device.joined.has(fox.peerId)).toBe(true)
  // Listen before leaving: a goodbye can arrive within milliseconds.
  await watcher.page.evaluate((id) => {
    const w = window as unknown as {
      __mesh: { on(e: 'peer:leave', f: (d: { id: string; reason: string }) => void): void }
      __leave?: Leave
    }
    w.__mesh.on('peer:leave', (d) => {
      if (d.id === id) w.__leave = { reason: d.reason, at: Date.now() }
    })
  }, fox.peerId)
  const watcherLeave = (): Promise<Leave | undefined> =>
    watcher.page.evaluate(() => (window as unknown as { __leave?: Leave }).__leave)
  let relayLeave: Leave | undefined
  const off = relay.mesh.on('peer:leave', (d) => {
    if (d.id === fox.peerId) relayLeave = { reason: d.reason, at: Date.now() }
  })
  try {
    const leftAt = Date.now()
    await Promise.all([
      fox.page.waitForURL('about:blank'),
      fox.page.evaluate(() => {
        // After this call has answered: the navigation destroys the page's context.
        setTimeout(() => {
          location.href = 'about:blank'
        })
      })
    ])
    // 'normal' is a goodbye; a peer that vanished without one would be 'noconnection'.
    await expect.poll(async () => (await watcherLeave())?.reason).toBe('normal')
    await expect.poll(() => relayLeave?.reason).toBe('normal')
    await expect.poll(() => device.left.get(fox.peerId)?.reason).toBe('normal')
    // Wall clocks of one machine. Upper bounds: they count from before the navigation.
    const ms = (l: Leave | undefined): number => (l?.at ?? Number.NaN) - leftAt
    test.info().annotations.push({
      type: 'leave seen after (ms)',
      description: JSON.stringify({
        chromium: ms(await watcherLeave()),
        relay: ms(relayLeave),
        device: ms(device.left.get(fox.peerId))
      })
    })
  } finally {
    off()
  }
  await expect(row(watcher, fox.peerId)).toHaveCount(0)
})
