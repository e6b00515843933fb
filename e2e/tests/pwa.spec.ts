import { expect, test } from '@playwright/test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRelay } from 'mesh-relay'
import type { Relay } from 'mesh-relay'

const PWA_DIR = new URL('../../apps/pwa/dist', import.meta.url).pathname
let relay: Relay
let dataDir: string

test.beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mesh-e2e-pwa-'))
  relay = await createRelay({ port: 0, host: '127.0.0.1', dataDir, pwaDir: PWA_DIR })
})
test.afterEach(async () => {
  await relay.close()
  await rm(dataDir, { recursive: true, force: true })
})

test('opening the page joins the mesh with no configuration', async ({ page }) => {
  await page.goto(relay.url)
  await expect(page.getByTestId('conn-state')).toHaveText('online')
  await expect(page.locator(`[data-testid="peer-row"][data-peer-id="${relay.peerId}"]`)).toBeVisible()
  const id = (await page.getByTestId('self-id').textContent())?.trim()
  expect(id).toMatch(/^12D3KooW/)
  // The identity persists across reloads (IndexedDB).
  await page.reload()
  await expect(page.getByTestId('self-id')).toHaveText(id ?? '')
})

test('is installable: a manifest with icons', async ({ page, request }) => {
  await page.goto(relay.url)
  const href = await page.locator('link[rel="manifest"]').getAttribute('href')
  expect(href).toBeTruthy()
  const manifest = (await (await request.get(new URL(href ?? '', relay.url).toString())).json()) as {
    display: string
    icons: Array<{ sizes: string; src: string }>
  }
  expect(manifest.display).toBe('standalone')
  for (const size of ['192x192', '512x512']) {
    const icon = manifest.icons.find((i) => i.sizes === size)
    expect(icon, size).toBeDefined()
    const res = await request.get(new URL(icon?.src ?? '', relay.url).toString())
    expect(res.headers()['content-type']).toBe('image/png')
  }
})

test('the app shell loads offline from the service worker', async ({ page, context }) => {
  await page.goto(relay.url)
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready
  })
  // The worker controls the page after a reload.
  await page.reload()
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true)
  await context.setOffline(true)
  await page.reload()
  await expect(page.getByTestId('self-id')).toBeVisible()
  await context.setOffline(false)
})
