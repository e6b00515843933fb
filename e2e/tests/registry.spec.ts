import { cpus } from 'node:os'
import type { Locator, Page } from '@playwright/test'
import { expect, test } from '../fixtures.ts'
import type { Peer } from '../fixtures.ts'

/** What these tests read of the page's live peer (`window.__mesh`, apps/pwa/README.md). */
interface PageMesh {
  coordinator(): string
  capabilities(peerId?: string): Record<string, unknown>
}

type MeshWindow = Window & { __mesh?: PageMesh; __statusLog?: StatusChange[]; __loadedOnce?: boolean }

/** A row's `data-status` as the page showed it; `gone` when the row left the list. */
interface StatusChange {
  id: string
  status: string
  at: number
}

function row(p: Peer, id: string): Locator {
  return p.page.locator(`[data-testid="peer-row"][data-peer-id="${id}"]`)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Exactly this capability chip (`key=value`), not one that merely starts with it. */
function chip(r: Locator, text: string): Locator {
  return r.getByTestId('cap').filter({ hasText: new RegExp(`^${escapeRegExp(text)}$`) })
}

/**
 * Records every change of the given rows' `data-status` from now on, with the page's
 * clock, so a test can check what was shown in between and not only the end state.
 */
async function watchStatuses(page: Page, ids: string[]): Promise<void> {
  await page.evaluate((watched) => {
    const w = window as MeshWindow
    const log: StatusChange[] = []
    w.__statusLog = log
    const last = new Map<string, string>()
    const read = (): void => {
      for (const id of watched) {
        const el = document.querySelector(`[data-testid="peer-row"][data-peer-id="${id}"]`)
        const status = el?.getAttribute('data-status') ?? 'gone'
        if (last.get(id) === status) continue
        last.set(id, status)
        log.push({ id, status, at: Date.now() })
      }
    }
    read()
    new MutationObserver(read).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status']
    })
  }, ids)
}

async function statusLog(page: Page): Promise<StatusChange[]> {
  return page.evaluate(() => (window as MeshWindow).__statusLog ?? [])
}

test('the PWA shows each peer’s capabilities, status, link quality and the coordinator', async ({
  relay,
  openPeer,
  startDevice
}) => {
  const device = await startDevice('pi-registry')
  const desk = await openPeer('desktop', 'desk')
  const r = row(desk, device.peerId)
  await expect(r).toHaveAttribute('data-status', 'healthy')
  await expect(r.getByTestId('peer-status')).toHaveText('healthy')
  for (const cap of [`cpu=${cpus().length}`, `platform=${process.platform}`]) {
    await expect(chip(r, cap), cap).toHaveCount(1)
  }
  // The device's tasks: system.info among its sensor tasks.
  await expect(r.getByTestId('cap').filter({ hasText: /^tasks=(.+,)?system\.info(,|$)/ })).toHaveCount(1)
  // Quality settles once pings have measured the direct link; loopback is fast.
  await expect(r).toHaveAttribute('data-link', 'webrtc')
  await expect(r).toHaveAttribute('data-quality', /^(excellent|good)$/)
  await expect(r.getByTestId('peer-quality')).toHaveText(/^(excellent|good)$/)
  await expect(r.getByTestId('rtt-sparkline')).toBeVisible()

  // One coordinator, the one mesh-core elects: the relay, which has run the longest.
  const elected = await desk.page.evaluate(() => (window as MeshWindow).__mesh?.coordinator())
  expect(elected).toBe(relay.peerId)
  await expect(row(desk, relay.peerId)).toHaveAttribute('data-coordinator', 'true')
  await expect(row(desk, relay.peerId).getByTestId('coordinator-badge')).toBeVisible()
  await expect(desk.page.locator('[data-coordinator="true"]')).toHaveCount(1)
  await expect(desk.page.getByTestId('self-card')).toHaveAttribute('data-coordinator', 'false')
  await expect(r).toHaveAttribute('data-coordinator', 'false')
})

test('the phone sees Firefox change its advertised capabilities live', async ({ openPeer }) => {
  const phone = await openPeer('phone', 'phone')
  const fox = await openPeer('firefox', 'fox')
  const foxRow = row(phone, fox.peerId)
  await expect(foxRow).toHaveAttribute('data-status', 'healthy')
  await expect(chip(foxRow, 'tasks=chat.post')).toHaveCount(1)
  // A reload would lose this mark: the changes must arrive in the running page.
  await phone.page.evaluate(() => ((window as MeshWindow).__loadedOnce = true))

  const set = async (key: string, value: string): Promise<void> => {
    await fox.page.getByTestId('cap-key').fill(key)
    await fox.page.getByTestId('cap-value').fill(value)
    await fox.page.getByTestId('cap-add').click()
  }

  // mesh-core refuses an over-long key; the editor says so and nothing is advertised.
  await set('k'.repeat(65), '1')
  await expect(fox.page.getByTestId('cap-error')).toHaveAttribute('data-error', 'InvalidCapabilitiesError')
  await expect(fox.page.getByTestId('own-cap')).toHaveCount(0)

  await set('gpu', '2')
  await set('codecs', 'opus, aac')
  await expect(fox.page.getByTestId('cap-error')).toHaveCount(0)
  await expect(fox.page.getByTestId('own-cap')).toHaveText(['codecs=opus,aac', 'gpu=2'])
  await expect(chip(foxRow, 'codecs=opus,aac')).toHaveCount(1)
  await expect(chip(foxRow, 'gpu=2')).toHaveCount(1)
  // The value field was parsed: a number and a list, as the phone received them.
  expect(
    await phone.page.evaluate((id) => (window as MeshWindow).__mesh?.capabilities(id), fox.peerId)
  ).toMatchObject({ gpu: 2, codecs: ['opus', 'aac'], tasks: ['chat.post'] })

  await fox.page.getByTestId('own-cap').filter({ hasText: 'codecs=' }).getByTestId('own-cap-remove').click()
  await expect(fox.page.getByTestId('own-cap')).toHaveText(['gpu=2'])
  await expect(chip(foxRow, 'codecs=opus,aac')).toHaveCount(0)
  // Withdrawing one replaces the set: the others and the automatic `tasks` stay.
  await expect(chip(foxRow, 'gpu=2')).toHaveCount(1)
  await expect(chip(foxRow, 'tasks=chat.post')).toHaveCount(1)
  expect(await phone.page.evaluate(() => (window as MeshWindow).__loadedOnce)).toBe(true)
})

test('a device killed with SIGKILL leaves the list while the others stay healthy', async ({
  openPeer,
  startDevice
}) => {
  const device = await startDevice('pi-doomed')
  const desk = await openPeer('desktop', 'desk')
  const fox = await openPeer('firefox', 'fox')
  const deviceRow = row(desk, device.peerId)
  await expect(deviceRow).toHaveAttribute('data-status', 'healthy')
  await expect(row(fox, device.peerId)).toHaveAttribute('data-status', 'healthy')
  await expect(row(desk, fox.peerId)).toHaveAttribute('data-status', 'healthy')
  await watchStatuses(desk.page, [device.peerId, fox.peerId])

  const before = (await statusLog(desk.page)).length
  // The page's clock, which stamps the log (Node's may differ by a millisecond).
  const killedAt = await desk.page.evaluate(() => Date.now())
  // No leave is announced: the process dies mid-flight, and only silence (or a peer that
  // saw its connection drop) tells.
  await device.kill('SIGKILL')
  await expect(deviceRow).toHaveCount(0, { timeout: 30_000 })
  await expect(row(fox, device.peerId)).toHaveCount(0, { timeout: 30_000 })

  const log = await statusLog(desk.page)
  const deviceLog = log.slice(before).filter((c) => c.id === device.peerId)
  // It may be listed as suspect for a while, but never healthy again, and then it is gone.
  expect(['gone', 'suspect,gone']).toContain(deviceLog.map((c) => c.status).join())
  // Firefox was healthy in every state the desktop showed, from before the kill to now.
  expect(log.filter((c) => c.id === fox.peerId).map((c) => c.status)).toEqual(['healthy'])
  await expect(row(desk, fox.peerId)).toHaveAttribute('data-status', 'healthy')
  await expect(row(fox, desk.peerId)).toHaveAttribute('data-status', 'healthy')

  const timing = deviceLog.map((c) => `${c.status} after ${c.at - killedAt} ms`).join(', ')
  test.info().annotations.push({ type: 'timing', description: timing })
  console.log(`  SIGKILL → ${timing}`)
})
