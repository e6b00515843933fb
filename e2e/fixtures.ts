import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test as base, expect } from '@playwright/test'
import type { Browser, Page } from '@playwright/test'
import { createRelay } from 'mesh-relay'
import type { Relay } from 'mesh-relay'
import { launch, phone } from './browsers.ts'
import type { PeerKind } from './browsers.ts'

const ROOT = new URL('..', import.meta.url).pathname
const BRIDGE_BIN = join(ROOT, 'packages/hw-bridge/dist/bin.js')
const PWA_DIR = join(ROOT, 'apps/pwa/dist')

export interface Device {
  peerId: string
  /** Peer ids the device has logged as joined, live. */
  joined: Set<string>
  /** Peer ids the device has logged as left, with the reason and when (`Date.now()`). */
  left: Map<string, { reason: string; at: number }>
  name: string
  pid: number
  /** Send `signal` to the process (by its pid) and resolve once it has exited. */
  kill(signal: NodeJS.Signals): Promise<void>
  stop(): Promise<void>
}

export interface Peer {
  kind: PeerKind
  page: Page
  peerId: string
  name: string
}

interface Fixtures {
  relay: Relay
  /** A `mesh-bridge` process; `extraArgs` go on its command line (`--root`, `--config`). */
  startDevice: (name: string, extraArgs?: string[]) => Promise<Device>
  openPeer: (kind: PeerKind, name: string) => Promise<Peer>
}

interface WorkerFixtures {
  chromiumBrowser: Browser
  firefoxBrowser: Browser
}

/** Start a real `mesh-bridge` process against the relay's TCP address. */
async function spawnBridge(relay: Relay, name: string, extraArgs: string[] = []): Promise<Device> {
  const tcp = relay.addresses.find((a) => a.startsWith('/ip4/127.0.0.1/tcp/') && !a.includes('/ws'))
  if (tcp === undefined) throw new Error(`relay has no loopback TCP address: ${relay.addresses.join(', ')}`)
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [BRIDGE_BIN, '--relay', tcp, '--name', name, '--no-mdns', '--json', ...extraArgs],
    {
      stdio: ['pipe', 'pipe', 'pipe']
    }
  )
  let buffered = ''
  let errors = ''
  const joined = new Set<string>()
  const left = new Map<string, { reason: string; at: number }>()
  const started = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mesh-bridge did not start: ${errors}`)), 20_000)
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) {
        if (!line.startsWith('{')) continue
        const msg = JSON.parse(line) as { msg: string; peerId?: string; id?: string; reason?: string }
        if (msg.msg === 'peer joined' && msg.id !== undefined) joined.add(msg.id)
        if (msg.msg === 'peer left' && msg.id !== undefined) {
          joined.delete(msg.id)
          left.set(msg.id, { reason: msg.reason ?? '', at: Date.now() })
        }
        if (msg.msg === 'mesh-bridge started' && msg.peerId !== undefined) {
          clearTimeout(timer)
          resolve(msg.peerId)
        }
      }
    })
    child.stderr.on('data', (d: Buffer) => (errors += d.toString()))
    child.on('exit', (code) => reject(new Error(`mesh-bridge exited with ${code}: ${errors}`)))
  })
  const peerId = await started
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  return {
    peerId,
    joined,
    left,
    name,
    pid: child.pid ?? -1,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        process.kill(child.pid, signal)
      }
      await exited
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    }
  }
}

export const test = base.extend<Fixtures, WorkerFixtures>({
  chromiumBrowser: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const b = await launch('chromium')
      await use(b)
      await b.close()
    },
    { scope: 'worker' }
  ],
  firefoxBrowser: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const b = await launch('firefox')
      await use(b)
      await b.close()
    },
    { scope: 'worker' }
  ],
  // eslint-disable-next-line no-empty-pattern
  relay: async ({}, use) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mesh-e2e-relay-'))
    const relay = await createRelay({ port: 0, host: '127.0.0.1', dataDir, pwaDir: PWA_DIR })
    // A test may stop the relay itself (to prove links are direct); close only once.
    let closed: Promise<void> | undefined
    const close = (): Promise<void> => (closed ??= relay.close())
    await use(Object.assign(Object.create(relay) as Relay, { close }))
    await close()
    await rm(dataDir, { recursive: true, force: true })
  },
  startDevice: async ({ relay }, use) => {
    const started: Device[] = []
    await use(async (name, extraArgs) => {
      const d = await spawnBridge(relay, name, extraArgs)
      started.push(d)
      return d
    })
    await Promise.all(started.map((d) => d.stop()))
  },
  openPeer: async ({ relay, chromiumBrowser, firefoxBrowser }, use) => {
    const contexts: Array<{ close(): Promise<void> }> = []
    await use(async (kind, name) => {
      const browser = kind === 'firefox' ? firefoxBrowser : chromiumBrowser
      const context = await browser.newContext(kind === 'phone' ? phone : {})
      contexts.push(context)
      const page = await context.newPage()
      await page.goto(`${relay.url}/?name=${encodeURIComponent(name)}`)
      await expect(page.locator('body')).toHaveAttribute('data-mesh-ready', 'true', { timeout: 20_000 })
      const peerId = (await page.getByTestId('self-id').textContent())?.trim() ?? ''
      return { kind, page, peerId, name }
    })
    await Promise.all(contexts.map((c) => c.close()))
  }
})

export { expect }

/** The peer ids a page lists, read from the UI. */
export async function listedPeers(page: Page): Promise<string[]> {
  return page
    .getByTestId('peer-row')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-peer-id') ?? ''))
}
