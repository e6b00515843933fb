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
const BRIDGE_BIN = join(ROOT, 'packages/hw-bridge/dist/mesh-bridge.js')
const PWA_DIR = join(ROOT, 'apps/pwa/dist')
/** `MESH_E2E_DEBUG=mesh:*,libp2p:webrtc*` turns on these debug scopes in every page and device. */
const DEBUG_SCOPES = process.env.MESH_E2E_DEBUG
/** How long a device may take to exit after SIGTERM. */
const STOP_BOUND_MS = 15_000
/** Console lines kept per page: enough for a failing test, bounded for a long one. */
const MAX_CONSOLE_LINES = 20_000

function keep(lines: string[], line: string): void {
  if (lines.length >= MAX_CONSOLE_LINES) lines.shift()
  lines.push(line)
}

export interface Device {
  peerId: string
  /** Peer ids the device has logged as joined, live. */
  joined: Set<string>
  /** Peer ids the device has logged as left, with the reason and when (`Date.now()`). */
  left: Map<string, { reason: string; at: number }>
  name: string
  pid: number
  /** The device's recent stdout and stderr lines. */
  output: string[]
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
      stdio: ['pipe', 'pipe', 'pipe'],
      env: DEBUG_SCOPES === undefined ? process.env : { ...process.env, DEBUG: DEBUG_SCOPES }
    }
  )
  const output: string[] = []
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
        keep(output, line)
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
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString()
      if (errors.length < 64 * 1024) errors += text
      for (const line of text.split('\n')) if (line !== '') keep(output, line)
    })
    child.on('exit', (code) => reject(new Error(`mesh-bridge exited with ${code}: ${errors}`)))
  })
  const peerId = await started
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  return {
    peerId,
    joined,
    left,
    name,
    output,
    pid: child.pid ?? -1,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        process.kill(child.pid, signal)
      }
      await exited
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      // SIGTERM must end it (evacuation is bounded by 3 s): a bridge still up long after is
      // a bug to report with its output, not a teardown that eats the test's timeout.
      let timer: ReturnType<typeof setTimeout> | undefined
      const late = new Promise<'late'>(
        (resolve) => (timer = setTimeout(() => resolve('late'), STOP_BOUND_MS))
      )
      const outcome = await Promise.race([exited, late])
      clearTimeout(timer)
      if (outcome === 'late') {
        child.kill('SIGKILL')
        await exited
        throw new Error(
          `mesh-bridge ${name} did not exit within ${STOP_BOUND_MS} ms of SIGTERM; its last output:\n` +
            output.slice(-40).join('\n')
        )
      }
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
  startDevice: async ({ relay }, use, testInfo) => {
    const started: Device[] = []
    await use(async (name, extraArgs) => {
      const d = await spawnBridge(relay, name, extraArgs)
      started.push(d)
      return d
    })
    if (testInfo.status !== testInfo.expectedStatus || DEBUG_SCOPES !== undefined) {
      for (const d of started) {
        await testInfo.attach(`device-${d.name}.txt`, {
          body: d.output.join('\n'),
          contentType: 'text/plain'
        })
      }
    }
    await Promise.all(started.map((d) => d.stop()))
  },
  openPeer: async ({ relay, chromiumBrowser, firefoxBrowser }, use, testInfo) => {
    const contexts: Array<{ close(): Promise<void> }> = []
    const consoles: Array<{ name: string; lines: string[] }> = []
    await use(async (kind, name) => {
      const browser = kind === 'firefox' ? firefoxBrowser : chromiumBrowser
      const context = await browser.newContext(kind === 'phone' ? phone : {})
      contexts.push(context)
      if (DEBUG_SCOPES !== undefined) {
        await context.addInitScript((scopes) => {
          // about:blank has no storage; the app's own origin does.
          if (location.protocol.startsWith('http')) localStorage.setItem('debug', scopes)
        }, DEBUG_SCOPES)
      }
      const page = await context.newPage()
      const lines: string[] = []
      consoles.push({ name, lines })
      page.on('console', (m) => keep(lines, `${new Date().toISOString()} ${m.type()} ${m.text()}`))
      page.on('pageerror', (e) => keep(lines, `${new Date().toISOString()} pageerror ${e.message}`))
      await page.goto(`${relay.url}/?name=${encodeURIComponent(name)}`)
      await expect(page.locator('body')).toHaveAttribute('data-mesh-ready', 'true', { timeout: 20_000 })
      const peerId = (await page.getByTestId('self-id').textContent())?.trim() ?? ''
      return { kind, page, peerId, name }
    })
    // A failed test carries each page's console, the first place to look for a cause
    // (every test does, while debugging).
    if (testInfo.status !== testInfo.expectedStatus || DEBUG_SCOPES !== undefined) {
      for (const c of consoles) {
        await testInfo.attach(`console-${c.name}.txt`, {
          body: c.lines.join('\n'),
          contentType: 'text/plain'
        })
      }
    }
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
