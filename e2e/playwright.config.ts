import { defineConfig } from '@playwright/test'
import { chromiumLaunch, firefoxLaunch, phone } from './browsers.ts'

/**
 * Three projects: Chromium desktop, a phone (Chromium with a device descriptor) and
 * Firefox over WebDriver BiDi. Multi-peer tests open peers of every kind themselves and
 * run once, in the `mesh` project: `mesh.spec.ts` (discovery, direct links, chat),
 * `registry.spec.ts` (capabilities, health, link quality, the coordinator),
 * `devices.spec.ts`, `lifecycle.spec.ts`, `tasks.spec.ts` (tasks across peers, retries),
 * `music.spec.ts` (the session handoff demo), `sensors.spec.ts` (browser sensors) and
 * `bridge.spec.ts` (mesh-bridge sensors on a fake sysfs tree).
 */
export default defineConfig({
  testDir: './tests',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: process.env.MESH_E2E_JSON ?? 'test-results/e2e.json' }]],
  outputDir: 'test-results/artifacts',
  use: { trace: 'off', screenshot: 'only-on-failure' },
  projects: [
    {
      name: 'mesh',
      testMatch: /(mesh|registry|devices|lifecycle|evacuation|tasks|music|sensors|bridge)\.spec\.ts/
    },
    {
      name: 'chromium-desktop',
      testMatch: /pwa\.spec\.ts/,
      use: { browserName: 'chromium', launchOptions: chromiumLaunch }
    },
    {
      name: 'phone',
      testMatch: /pwa\.spec\.ts/,
      use: { browserName: 'chromium', launchOptions: chromiumLaunch, ...phone }
    },
    {
      name: 'firefox',
      testMatch: /pwa\.spec\.ts/,
      use: {
        browserName: 'firefox',
        ...(firefoxLaunch.channel !== undefined ? { channel: firefoxLaunch.channel } : {}),
        launchOptions: firefoxLaunch
      }
    }
  ]
})
