import type { Browser, Page } from '@playwright/test'
import { phone } from '../browsers.ts'
import { expect, test } from '../fixtures.ts'

/** The page's peer, as far as these tests use it. */
interface PageMesh {
  peerId: string
  actor(name: string, b: unknown): void
  spawn(needs: object, actor: string, args: unknown, o: { peer: string }): Promise<string>
  send(pid: string, m: unknown): void
  call<R>(pid: string, m: unknown, o?: { timeoutMs?: number }): Promise<R>
  on(e: 'evacuate', f: (d: { reason: string; moved: number; actors: number }) => void): () => void
}
type W = Window & {
  __mesh: PageMesh
  __evacuations?: Array<{ reason: string; moved: number }>
  __battery?: EventTarget & { level: number; charging: boolean }
}

/** A counter whose answers say which peer hosts it now. */
async function defineCounter(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as W
    w.__mesh.actor('counter', {
      init: () => ({ n: 0 }),
      handle(msg: { add?: number; get?: true }, s: { n: number }, ctx: { reply(v: unknown): void }) {
        if (msg.get === true) {
          ctx.reply({ n: s.n, host: w.__mesh.peerId })
          return undefined
        }
        return { n: s.n + (msg.add ?? 0) }
      }
    })
    w.__evacuations = []
    w.__mesh.on('evacuate', (e) => w.__evacuations?.push(e))
  })
}

/**
 * A phone page whose Battery Status API the test drives: Chromium's own reports a
 * charging mains supply, so a low battery has to be staged.
 */
async function phoneWithBattery(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext(phone)
  await context.addInitScript(() => {
    const battery = Object.assign(new EventTarget(), { level: 0.9, charging: false })
    ;(window as unknown as W).__battery = battery
    Object.defineProperty(navigator, 'getBattery', { value: () => Promise.resolve(battery) })
  })
  const page = await context.newPage()
  await page.goto(url)
  await expect(page.locator('body')).toHaveAttribute('data-mesh-ready', 'true', { timeout: 20_000 })
  return page
}

/** A counter at 10 spawned on `page` (the phone), known to `laptop`, and a way to ask it. */
async function counterOnPhone(
  laptop: { page: Page; peerId: string },
  page: Page
): Promise<{ phoneId: string; ask: (p: Page) => Promise<{ n: number; host: string }> }> {
  for (const p of [laptop.page, page]) await defineCounter(p)
  const phoneId = await page.evaluate(() => (window as unknown as W).__mesh.peerId)
  await expect(laptop.page.locator(`[data-testid="peer-row"][data-peer-id="${phoneId}"]`)).toHaveAttribute(
    'data-link',
    'webrtc'
  )
  // The phone must know the laptop hosts the behaviour.
  await expect
    .poll(() =>
      page.evaluate(
        (id) =>
          (window as unknown as { __mesh: { capabilities(p: string): { actors?: string[] } } }).__mesh
            .capabilities(id)
            .actors?.includes('counter') === true,
        laptop.peerId
      )
    )
    .toBe(true)
  const pid = await page.evaluate(async (self) => {
    const m = (window as unknown as W).__mesh
    const pid = await m.spawn({}, 'counter', null, { peer: self })
    for (let i = 0; i < 5; i++) m.send(pid, { add: 2 })
    return pid
  }, phoneId)
  const ask = (p: Page): Promise<{ n: number; host: string }> =>
    p.evaluate(
      (x) => (window as unknown as W).__mesh.call<{ n: number; host: string }>(x, { get: true }),
      pid
    )
  expect(await ask(laptop.page)).toEqual({ n: 10, host: phoneId })
  return { phoneId, ask }
}

test('a phone whose battery runs low hands its actors, with their state, to a capable peer', async ({
  relay,
  chromiumBrowser,
  openPeer
}) => {
  const laptop = await openPeer('desktop', 'laptop')
  const page = await phoneWithBattery(chromiumBrowser, `${relay.url}/?name=phone`)
  try {
    const { ask } = await counterOnPhone(laptop, page)
    // Draining but above the level: nothing moves. Below it: the actor leaves.
    const setLevel = (level: number): Promise<void> =>
      page.evaluate((l) => {
        const b = (window as unknown as W).__battery!
        b.level = l
        b.dispatchEvent(new Event('levelchange'))
      }, level)
    await setLevel(0.5)
    await setLevel(0.1)
    await expect
      .poll(() => page.evaluate(() => (window as unknown as W).__evacuations))
      .toEqual([{ reason: 'battery', moved: 1, actors: 1 }])
    expect(await ask(laptop.page)).toEqual({ n: 10, host: laptop.peerId })
    expect(await ask(page)).toEqual({ n: 10, host: laptop.peerId })
  } finally {
    await page.context().close()
  }
})

test('a phone page hidden longer than its ?evacuate policy allows hands its actors to a capable peer', async ({
  relay,
  chromiumBrowser,
  openPeer
}) => {
  const laptop = await openPeer('desktop', 'laptop')
  const evacuate = encodeURIComponent(JSON.stringify({ hiddenForMs: 1_000, batteryBelow: false }))
  const page = await phoneWithBattery(chromiumBrowser, `${relay.url}/?name=phone&evacuate=${evacuate}`)
  try {
    const { phoneId, ask } = await counterOnPhone(laptop, page)
    // The tab goes to the background (as when the user switches apps) and stays there.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })
      document.dispatchEvent(new Event('visibilitychange'))
    })
    await expect(laptop.page.locator(`[data-testid="peer-row"][data-peer-id="${phoneId}"]`)).toHaveAttribute(
      'data-status',
      'paused'
    )
    await expect
      .poll(() => page.evaluate(() => (window as unknown as W).__evacuations))
      .toEqual([{ reason: 'hidden', moved: 1, actors: 1 }])
    expect(await ask(laptop.page)).toEqual({ n: 10, host: laptop.peerId })
  } finally {
    await page.context().close()
  }
})

test('a phone page that closes pushes its actors, with their state, to a capable peer on its way out', async ({
  relay,
  chromiumBrowser,
  openPeer
}) => {
  const laptop = await openPeer('desktop', 'laptop')
  const page = await phoneWithBattery(chromiumBrowser, `${relay.url}/?name=phone`)
  try {
    const { phoneId, ask } = await counterOnPhone(laptop, page)
    // The user closes the tab: pagehide runs, then the page and its connections are gone.
    await page.close()
    await expect(laptop.page.locator(`[data-testid="peer-row"][data-peer-id="${phoneId}"]`)).toHaveCount(0)
    expect(await ask(laptop.page)).toEqual({ n: 10, host: laptop.peerId })
  } finally {
    await page.context().close()
  }
})
