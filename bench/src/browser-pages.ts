/** What the browser benches share: Chromium's flags, opening a PWA page, waiting for a WebRTC link. */
import type { Page } from '@playwright/test'

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-features=WebRtcHideLocalIpsWithMdns'
]

export const CHROMIUM_PATH = process.env.MESH_CHROMIUM ?? '/usr/bin/chromium'

interface WindowMesh {
  __mesh?: {
    peerId: string
    peers(): Array<{ id: string; link: string; status: string }>
  }
}

/** Open the PWA and resolve to the page's peer id once it has started. */
export async function openPage(page: Page, url: string): Promise<string> {
  await page.goto(url)
  await page.waitForFunction(() => document.body.dataset.meshReady === 'true', undefined, {
    timeout: 30_000,
    polling: 20
  })
  return page.evaluate(() => (window as unknown as WindowMesh).__mesh!.peerId)
}

/** Resolves once the page holds a healthy WebRTC link to `peer`. */
export function webrtcTo(page: Page, peer: string, ms: number): Promise<unknown> {
  return page.waitForFunction(
    (id) =>
      (window as unknown as WindowMesh).__mesh
        ?.peers()
        .some((p) => p.id === id && p.link === 'webrtc' && p.status === 'healthy') === true,
    peer,
    { timeout: ms, polling: 50 }
  )
}
