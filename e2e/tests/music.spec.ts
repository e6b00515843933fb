/**
 * The music demo: a session starts on a Chromium laptop, a phone (Chromium, Pixel 7
 * descriptor) and Firefox join; the phone adds a track and votes; the session then moves
 * laptop → phone → Firefox with "Play here", and keeps playing from where it was.
 * Positions are read from the actor itself (`mesh.call(pid, { get: true })`), the sound
 * from each page's player and analyser (`window.__music`).
 */
import { firefox } from '@playwright/test'
import type { Page } from '@playwright/test'
import { firefoxLaunch } from '../browsers.ts'
import { expect, test as base } from '../fixtures.ts'
import type { Peer } from '../fixtures.ts'

/**
 * Firefox, with a mock audio device: this machine has no sound card, and without one
 * Firefox never starts an AudioContext (it stays 'suspended'). Chromium falls back to a
 * fake output by itself.
 */
const test = base.extend({
  firefoxBrowser: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const b = await firefox.launch({
        ...firefoxLaunch,
        firefoxUserPrefs: { ...firefoxLaunch.firefoxUserPrefs, 'media.cubeb.force_mock_context': true }
      })
      await use(b)
      await b.close()
    },
    { scope: 'worker' }
  ]
})

interface Move {
  from: string
  to: string
  stoppedAt: number
  startedAt: number | null
  gapMs: number | null
  beat: number
}

/** The session actor's answer to `{ get: true }`. */
interface Snapshot {
  host: string
  hostName: string
  trackId: string | null
  title: string
  playing: boolean
  beat: number
  positionMs: number
  msPerBeat: number
  tracks: Array<{ id: string; title: string }>
  lastMove: Move | null
  moves: number
}

interface Audio {
  sounding: boolean
  voices: number
  audio: string
}

interface MusicWindow {
  __mesh: {
    peerId: string
    whereis(name: string): string | undefined
    call<R>(to: string, message: unknown, o?: { timeoutMs?: number }): Promise<R>
    peers(): Array<{ id: string; link: string; status: string }>
  }
  __music: { audio(): Audio; level(): number; hosted(): string | null }
}

/** The session's state, from the actor, asked from `page`. */
function session(page: Page): Promise<Snapshot> {
  return page.evaluate(async () => {
    const w = window as unknown as MusicWindow
    const pid = w.__mesh.whereis('music.session')
    if (pid === undefined) throw new Error('no music.session registered')
    return w.__mesh.call<Snapshot>(pid, { get: true }, { timeoutMs: 10_000 })
  })
}

function audio(page: Page): Promise<Audio & { level: number; hosted: string | null }> {
  return page.evaluate(() => {
    const m = (window as unknown as MusicWindow).__music
    return { ...m.audio(), level: m.level(), hosted: m.hosted() }
  })
}

/** Resolves once `page` has a healthy direct WebRTC link to each of `ids`. */
async function linked(page: Page, ids: string[]): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const peers = (window as unknown as MusicWindow).__mesh.peers()
      return want.every((id) =>
        peers.some((p) => p.id === id && p.link === 'webrtc' && p.status === 'healthy')
      )
    },
    ids,
    { timeout: 30_000, polling: 100 }
  )
}

/** Every page's view names `host` as the device that plays. */
async function everyViewShows(peers: Peer[], host: Peer): Promise<void> {
  for (const p of peers) {
    await expect(p.page.getByTestId('music-host')).toHaveText(host.name)
    await expect(p.page.getByTestId('music-panel')).toHaveAttribute('data-host', host.peerId)
  }
}

/** Clicks "Play here" on `to` and checks the move from `from` from the actor's state. */
async function move(from: Peer, to: Peer, all: Peer[]): Promise<Move> {
  const before = await session(to.page)
  expect(before.host).toBe(from.peerId)
  expect(before.playing).toBe(true)
  const t0 = Date.now()
  await to.page.getByTestId('music-play-here').click()
  await expect.poll(async () => (await session(to.page)).host, { timeout: 20_000 }).toBe(to.peerId)
  const after = await session(to.page)
  const elapsedMs = Date.now() - t0
  // Same track, still playing, position continued: never back, never ahead of the clock.
  expect(after.trackId).toBe(before.trackId)
  expect(after.playing).toBe(true)
  expect(after.positionMs).toBeGreaterThanOrEqual(before.positionMs)
  expect(after.positionMs).toBeLessThanOrEqual(before.positionMs + elapsedMs + 50)
  const m = after.lastMove
  expect(m).not.toBeNull()
  if (m === null) throw new Error('no move recorded')
  expect(m.from).toBe(from.peerId)
  expect(m.to).toBe(to.peerId)
  expect(m.beat).toBeGreaterThanOrEqual(before.beat)
  expect(after.beat).toBeGreaterThanOrEqual(m.beat)
  expect(after.moves).toBe(before.moves + 1)
  // The playlist travelled with the session.
  expect(after.tracks.map((t) => t.title).sort()).toEqual(before.tracks.map((t) => t.title).sort())
  // The old host is silent; the new one sounds.
  await expect
    .poll(() => audio(from.page))
    .toMatchObject({ sounding: false, voices: 0, level: 0, hosted: null })
  await expect.poll(async () => (await audio(to.page)).sounding).toBe(true)
  await expect.poll(async () => (await audio(to.page)).level).toBeGreaterThan(0)
  await everyViewShows(all, to)
  await expect(to.page.getByTestId('music-audio')).toHaveAttribute('data-audio', 'playing')
  await expect(from.page.getByTestId('music-audio')).toHaveAttribute('data-audio', 'off')
  // The wake lock is the new host's business now (held, or refused by a headless browser).
  await expect(to.page.getByTestId('music-wakelock')).toHaveAttribute(
    'data-state',
    /^(held|failed|unsupported)$/
  )
  await expect(from.page.getByTestId('music-wakelock')).toHaveCount(0)
  expect(m.gapMs).not.toBeNull()
  return m
}

test('a music session moves laptop → phone → Firefox and keeps playing', async ({ openPeer }) => {
  test.setTimeout(150_000)
  const laptop = await openPeer('desktop', 'laptop')
  await laptop.page.getByTestId('music-start').click()
  await expect(laptop.page.getByTestId('music-host')).toHaveText('laptop')
  await expect.poll(async () => (await audio(laptop.page)).level).toBeGreaterThan(0)
  await expect(laptop.page.getByTestId('music-audio')).toHaveAttribute('data-audio', 'playing')

  const phone = await openPeer('phone', 'phone')
  const fox = await openPeer('firefox', 'fox')
  const all = [laptop, phone, fox]
  await everyViewShows(all, laptop)

  // The phone adds a track and votes for it; every page sees both, and it is up next.
  await phone.page.getByTestId('music-add-title').fill('Pocket Anthem')
  await phone.page.getByTestId('music-add-preset').selectOption('bells')
  await phone.page.getByTestId('music-add-bpm').fill('100')
  await phone.page.getByTestId('music-add-submit').click()
  const row = (p: Peer) => p.page.getByTestId('music-track-row').filter({ hasText: 'Pocket Anthem' })
  for (const p of all) await expect(row(p)).toHaveCount(1)
  await row(phone).getByTestId('music-vote').click()
  for (const p of all) {
    await expect(row(p).getByTestId('music-votes')).toHaveText('1')
    await expect(p.page.getByTestId('music-next')).toHaveText('Pocket Anthem')
  }
  await expect(row(phone).getByTestId('music-vote')).toHaveAttribute('aria-pressed', 'true')
  // A form entry that is not valid is refused on the spot.
  await phone.page.getByTestId('music-add-title').fill('   ')
  await phone.page.getByTestId('music-add-submit').click()
  await expect(phone.page.getByTestId('music-add-error')).toBeVisible()
  // The session's own playlist has the phone's track once the host has seen it.
  await expect
    .poll(async () => (await session(laptop.page)).tracks.map((t) => t.title))
    .toContain('Pocket Anthem')

  await linked(phone.page, [laptop.peerId, fox.peerId])
  await linked(fox.page, [laptop.peerId, phone.peerId])
  const toPhone = await move(laptop, phone, all)
  const toFox = await move(phone, fox, all)
  const gaps = [toPhone, toFox].map((m) => ({
    from: m.from.slice(-6),
    to: m.to.slice(-6),
    gapMs: m.gapMs === null ? null : Math.round(m.gapMs * 10) / 10
  }))
  console.log(`music handoff gaps: ${JSON.stringify(gaps)}`)
  for (const p of all) await expect(p.page.getByTestId('music-gap')).toContainText('moved in')
})
