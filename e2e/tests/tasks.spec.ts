import { cpus } from 'node:os'
import type { BrowserContext, Locator, Page } from '@playwright/test'
import { phone } from '../browsers.ts'
import type { PeerKind } from '../browsers.ts'
import { expect, test as base } from '../fixtures.ts'
import type { Peer } from '../fixtures.ts'

/** What these tests read of the page's live peer (`window.__mesh`). */
interface PageMesh {
  resolve(needs: Record<string, unknown>): Array<{ id: string }>
  on(event: 'peer:leave', fn: (d: { id: string; reason: string }) => void): () => void
}

type TasksWindow = Window & { __mesh?: PageMesh; __leaves?: Record<string, string> }

interface TasksPeer extends Peer {
  context: BrowserContext
}

/**
 * `openPeer`, with more query parameters: `demo=1` makes the page offer `demo.echo` and
 * `demo.slow`, `caps` sets capabilities. The page's context is returned, to kill it.
 */
const test = base.extend<{
  openTasksPeer: (kind: PeerKind, name: string, query?: Record<string, string>) => Promise<TasksPeer>
}>({
  openTasksPeer: async ({ relay, chromiumBrowser, firefoxBrowser }, use) => {
    const contexts: BrowserContext[] = []
    await use(async (kind, name, query = {}) => {
      const browser = kind === 'firefox' ? firefoxBrowser : chromiumBrowser
      const context = await browser.newContext(kind === 'phone' ? phone : {})
      contexts.push(context)
      const page = await context.newPage()
      await page.goto(`${relay.url}/?${new URLSearchParams({ name, ...query }).toString()}`)
      await expect(page.locator('body')).toHaveAttribute('data-mesh-ready', 'true', { timeout: 20_000 })
      const peerId = (await page.getByTestId('self-id').textContent())?.trim() ?? ''
      return { kind, page, peerId, name, context }
    })
    await Promise.all(contexts.map((c) => c.close()))
  }
})

interface Dispatch {
  task: string
  /** A peer id; placement ("any capable peer") when absent. */
  target?: string
  args?: string
  retries?: number
  timeoutS?: number
}

/** Runs a task from the page's Tasks panel and returns its row (runs are numbered from 1). */
async function dispatch(page: Page, d: Dispatch): Promise<Locator> {
  const next = (await page.getByTestId('task-run-row').count()) + 1
  await page.getByTestId('task-name').selectOption(d.task)
  // Waits until the page lists the target as capable of the task.
  await page.getByTestId('task-target').selectOption(d.target ?? '')
  if (d.args !== undefined) await page.getByTestId('task-args').fill(d.args)
  if (d.retries !== undefined) await page.getByTestId('task-retries').fill(String(d.retries))
  if (d.timeoutS !== undefined) await page.getByTestId('task-timeout').fill(String(d.timeoutS))
  await page.getByTestId('task-run').click()
  const row = page.locator(`[data-testid="task-run-row"][data-run-id="${next}"]`)
  await expect(row).toHaveAttribute('data-task', d.task)
  return row
}

/** The JSON a finished run shows; fails with the shown error if the run failed. */
async function result(row: Locator): Promise<unknown> {
  await expect(row).toHaveAttribute('data-status', /^(done|failed)$/)
  if ((await row.getAttribute('data-status')) === 'failed') {
    throw new Error(`the run failed: ${await row.getByTestId('task-error').textContent()}`)
  }
  return JSON.parse((await row.getByTestId('task-result').textContent()) ?? '') as unknown
}

function peerRow(page: Page, id: string): Locator {
  return page.locator(`[data-testid="peer-row"][data-peer-id="${id}"]`)
}

test('from the PWA, system.info runs on the device and demo.echo on another browser', async ({
  openTasksPeer,
  startDevice
}) => {
  const device = await startDevice('pi-tasks')
  const alice = await openTasksPeer('desktop', 'alice')
  const bob = await openTasksPeer('firefox', 'bob', { demo: '1' })
  const { page } = alice
  // Tasks travel over direct links only: wait for them, as a user waits for the peer list.
  await expect(peerRow(page, device.peerId)).toHaveAttribute('data-link', 'webrtc')
  await expect(peerRow(page, bob.peerId)).toHaveAttribute('data-link', 'webrtc')

  const info = await dispatch(page, { task: 'system.info', target: device.peerId })
  expect(await result(info)).toMatchObject({ cpu: cpus().length, platform: process.platform })
  await expect(info).toHaveAttribute('data-peer', device.peerId)
  await expect(info).toHaveAttribute('data-attempts', '1')
  await expect(info.getByTestId('task-peer')).toContainText('pi-tasks')

  const echo = await dispatch(page, { task: 'demo.echo', target: bob.peerId, args: '{"text":"hi bob"}' })
  expect(await result(echo)).toEqual({
    echo: { text: 'hi bob' },
    runner: { id: bob.peerId, name: 'bob', attempt: 1, from: alice.peerId }
  })
  await expect(echo).toHaveAttribute('data-peer', bob.peerId)
  await expect(echo.getByTestId('task-peer')).toContainText('bob')

  // Placement finds the one capable peer itself; alice offers no demo tasks.
  const placed = await dispatch(page, { task: 'demo.echo', args: '{"text":"anyone"}' })
  expect(await result(placed)).toMatchObject({ runner: { id: bob.peerId, attempt: 1 } })
  await expect(placed).toHaveAttribute('data-peer', bob.peerId)
  // The device ran system.info and nothing else: a task pinned to a peer stays there.
  await expect(page.getByTestId('task-run-row')).toHaveCount(3)
  await expect(page.locator('[data-testid="task-run-row"][data-status="done"]')).toHaveCount(3)
})

test('a browser that crashes mid-task: the retry completes on another browser', async ({ openTasksPeer }) => {
  test.setTimeout(150_000)
  const alice = await openTasksPeer('desktop', 'alice')
  const bob = await openTasksPeer('desktop', 'bob', { demo: '1' })
  // Carol advertises more load, so placement picks bob first and carol on the retry.
  const carol = await openTasksPeer('firefox', 'carol', { demo: '1', caps: '{"load":0.5}' })
  const { page } = alice

  // What alice's placement will do: bob, then carol (both healthy, direct, known capable).
  await expect(peerRow(page, bob.peerId)).toHaveAttribute('data-link', 'webrtc')
  await expect(peerRow(page, carol.peerId)).toHaveAttribute('data-link', 'webrtc')
  await expect
    .poll(() =>
      page.evaluate(() => (window as TasksWindow).__mesh?.resolve({ tasks: 'demo.slow' }).map((p) => p.id))
    )
    .toEqual([bob.peerId, carol.peerId])
  // How alice will see bob go: 'normal' after a goodbye, 'noconnection' when he just stops answering.
  await page.evaluate(() => {
    const w = window as TasksWindow
    const leaves: Record<string, string> = {}
    w.__leaves = leaves
    w.__mesh?.on('peer:leave', (d) => (leaves[d.id] = d.reason))
  })

  const slowMs = 20_000
  const run = await dispatch(page, {
    task: 'demo.slow',
    args: JSON.stringify({ ms: slowMs }),
    retries: 1,
    timeoutS: 120
  })
  await expect(run).toHaveAttribute('data-peer', bob.peerId)
  await expect(run).toHaveAttribute('data-status', 'running')
  // Bob's handler is running: its progress has reached alice.
  await expect.poll(async () => Number((await run.getAttribute('data-progress')) || '0')).toBeGreaterThan(0)

  // A crash, not a goodbye: the renderer dies, no pagehide runs, nothing is said.
  const crashed = bob.page.waitForEvent('crash')
  const cdp = await bob.context.newCDPSession(bob.page)
  const crashedAt = Date.now()
  void cdp.send('Page.crash').catch(() => undefined)
  await crashed

  await expect(run).toHaveAttribute('data-peer', carol.peerId, { timeout: 30_000 })
  const movedAt = Date.now()
  await expect(run).toHaveAttribute('data-attempts', '2')
  await expect(run.getByTestId('task-peer')).toContainText('carol')
  await expect(run.getByTestId('task-lost')).toContainText('bob')
  await expect.poll(async () => Number((await run.getAttribute('data-progress')) || '0')).toBeGreaterThan(0)
  const done = (await result(run)) as { ms: number; runner: unknown }
  const doneAt = Date.now()
  expect(done).toMatchObject({
    ms: slowMs,
    runner: { id: carol.peerId, name: 'carol', attempt: 2, from: alice.peerId }
  })
  await expect(run).toHaveAttribute('data-peer', carol.peerId)
  await expect(run).toHaveAttribute('data-attempts', '2')
  await expect(run.getByTestId('task-attempts')).toHaveText('2 of 2')

  // Alice saw bob go silent (no goodbye), and carol is still healthy.
  await expect(peerRow(page, bob.peerId)).toHaveCount(0, { timeout: 30_000 })
  const reason = await page.evaluate((id) => (window as TasksWindow).__leaves?.[id], bob.peerId)
  expect(reason).toBe('noconnection')
  await expect(peerRow(page, carol.peerId)).toHaveAttribute('data-status', 'healthy')

  const timing = `moved to carol ${movedAt - crashedAt} ms after the crash, done after ${doneAt - crashedAt} ms; bob left: ${reason}`
  test.info().annotations.push({ type: 'timing', description: timing })
  console.log(`  crash → ${timing}`)
})
