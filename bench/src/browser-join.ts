import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { createMesh } from 'mesh-core'
import type { Mesh } from 'mesh-core'
import { createRelay } from 'mesh-relay'
import { summarise } from './stats.ts'
import type { Row } from './stats.ts'

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-features=WebRtcHideLocalIpsWithMdns'
]

/** Fleet sizes (the relay and N - 1 Node devices) a browser joins; the quick mode keeps one. */
export const BROWSER_JOIN_SIZES = process.env.MESH_BENCH_QUICK === '1' ? [3] : [3, 10, 20]

/**
 * A browser's time from page open to seeing all N peers (the relay and N-1 Node devices),
 * in a fresh context (a new identity) each run. Baseline, same run and page: page open to
 * `createMesh()` resolved (libp2p started, nothing from the network yet).
 */
export async function benchBrowserJoin(pwaDir: string, sizes: number[], runs: number): Promise<Row[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mesh-bench-'))
  const relay = await createRelay({ port: 0, host: '127.0.0.1', dataDir, pwaDir })
  const browser = await chromium.launch({
    executablePath: process.env.MESH_CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS
  })
  const devices: Mesh[] = []
  const rows: Row[] = []
  try {
    const ws = relay.addresses.filter((a) => a.includes('/ws') && a.includes('127.0.0.1'))
    for (const n of sizes) {
      while (devices.length < n - 1) {
        devices.push(
          await createMesh({
            name: `dev-${devices.length}`,
            bootstrap: ws,
            mdns: false,
            dht: false,
            listen: ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit', '/webrtc']
          })
        )
      }
      const full: number[] = []
      const ready: number[] = []
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext()
        const page = await context.newPage()
        const t0 = Date.now()
        await page.goto(relay.url)
        await page.waitForFunction(() => document.body.dataset.meshReady === 'true', undefined, {
          timeout: 30_000,
          polling: 5
        })
        ready.push(Date.now() - t0)
        await page.waitForFunction(
          (want) =>
            ((window as unknown as { __mesh?: { peers(): unknown[] } }).__mesh?.peers().length ?? 0) >= want,
          n,
          { timeout: 30_000, polling: 5 }
        )
        full.push(Date.now() - t0)
        await context.close()
      }
      rows.push({
        bench: 'browser-join',
        case: `N = ${n} (relay + ${n - 1} devices)`,
        unit: 'ms',
        result: summarise(full),
        baseline: { what: 'page open → createMesh() resolved', result: summarise(ready) },
        note: 'Chromium headless, fresh context per run, inside the test network namespace'
      })
    }
  } finally {
    await Promise.allSettled(devices.map((d) => d.stop()))
    await browser.close()
    await relay.close()
    await rm(dataDir, { recursive: true, force: true })
  }
  return rows
}
