import { chromium, devices, firefox } from '@playwright/test'
import type { Browser, BrowserContextOptions, LaunchOptions } from '@playwright/test'

/** Debian's browsers: Playwright cannot download its own here (shared/PLATFORM.md). */
export const CHROMIUM_PATH = process.env.MESH_CHROMIUM ?? '/usr/bin/chromium'
export const FIREFOX_PATH = process.env.MESH_FIREFOX ?? '/usr/lib/firefox-esr/firefox-esr'

export const chromiumLaunch: LaunchOptions = {
  executablePath: CHROMIUM_PATH,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream'
  ]
}

export const firefoxLaunch: LaunchOptions = {
  executablePath: FIREFOX_PATH,
  channel: 'moz-firefox',
  firefoxUserPrefs: {
    // Inside the test namespace mDNS host names do not resolve: show real host candidates.
    'media.peerconnection.ice.obfuscate_host_addresses': false,
    'network.captive-portal-service.enabled': false,
    'app.update.enabled': false
  }
}

export const phone: BrowserContextOptions = { ...devices['Pixel 7'] }

export type PeerKind = 'desktop' | 'phone' | 'firefox'

export async function launch(kind: 'chromium' | 'firefox'): Promise<Browser> {
  return kind === 'chromium' ? chromium.launch(chromiumLaunch) : firefox.launch(firefoxLaunch)
}
