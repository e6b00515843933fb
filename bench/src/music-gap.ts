/**
 * The music demo's handoff, measured: two Chromium pages of the PWA (a desktop and a
 * phone-emulated context) on one relay, with a direct WebRTC link; the session moves back
 * and forth between them K times. Per move: the audible gap (the target's first sound
 * minus the source's last, both on the shared clock, as the session records it in
 * `lastMove`) and the `mesh.handoff()` call as the target sees it. Baseline, same run and
 * link: `mesh.ping()` round trips.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, devices } from '@playwright/test'
import type { Page } from '@playwright/test'
import { createRelay } from 'mesh-relay'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser-pages.ts'
import { fmt, samplesOf, summarise } from './stats.ts'
import type { Row } from './stats.ts'

const QUICK = process.env.MESH_BENCH_QUICK === '1'
/** Moves (the session goes back and forth). */
const K = QUICK ? 4 : 10
/** The whole bench stops measuring after this long, whatever K says. */
const BUDGET_MS = 120_000
const PINGS = 20

/** The pages start their AudioContext without a click. */
const MUSIC_ARGS = [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required']

interface MoveRecord {
  to: string
  gapMs: number | null
}

interface BenchWindow {
  __mesh?: {
    peerId: string
    peers(): Array<{ id: string; link: string; status: string }>
    ping(peer: string): Promise<number>
  }
  __music?: {
    hosted(): string | null
    level(): number
    playHere(): Promise<number>
    nowPlaying(): { moves: number; lastMove: MoveRecord | null } | undefined
  }
}

async function open(page: Page, url: string): Promise<string> {
  await page.goto(url)
  await page.waitForFunction(() => document.body.dataset.meshReady === 'true', undefined, { timeout: 30_000 })
  return page.evaluate(() => (window as unknown as BenchWindow).__mesh!.peerId)
}

/** Resolves once `page` hosts the session and its output is not silent. */
function sounding(page: Page): Promise<unknown> {
  return page.waitForFunction(
    () => {
      const m = (window as unknown as BenchWindow).__music
      return m !== undefined && m.hosted() !== null && m.level() > 0
    },
    undefined,
    { timeout: 20_000, polling: 20 }
  )
}

export async function benchMusicGap(pwaDir: string): Promise<Row[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mesh-bench-'))
  const relay = await createRelay({ port: 0, host: '127.0.0.1', dataDir, pwaDir })
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: MUSIC_ARGS
  })
  try {
    const desktop = await (await browser.newContext()).newPage()
    const phone = await (await browser.newContext({ ...devices['Pixel 7'] })).newPage()
    const ids = [
      await open(desktop, `${relay.url}/?name=laptop`),
      await open(phone, `${relay.url}/?name=phone`)
    ]
    await Promise.all(
      [desktop, phone].map((page, i) =>
        page.waitForFunction(
          (other) =>
            (window as unknown as BenchWindow).__mesh
              ?.peers()
              .some((p) => p.id === other && p.link === 'webrtc' && p.status === 'healthy') === true,
          ids[1 - i],
          { timeout: 60_000, polling: 50 }
        )
      )
    )
    await desktop.getByTestId('music-start').click()
    await sounding(desktop)
    const pings = await desktop.evaluate(
      async ({ peer, n }) => {
        const mesh = (window as unknown as BenchWindow).__mesh!
        const rtts: number[] = []
        for (let i = 0; i < n; i++) rtts.push(await mesh.ping(peer))
        return rtts
      },
      { peer: ids[1] as string, n: PINGS }
    )
    const gaps: number[] = []
    const calls: number[] = []
    let silent = 0
    const deadline = Date.now() + BUDGET_MS
    for (let i = 0; i < K && Date.now() < deadline; i++) {
      const target = i % 2 === 0 ? phone : desktop
      const callMs = await target.evaluate(() => (window as unknown as BenchWindow).__music!.playHere())
      calls.push(callMs)
      await sounding(target)
      const move = await target.evaluate(
        () => (window as unknown as BenchWindow).__music!.nowPlaying()?.lastMove
      )
      if (move?.gapMs === null || move?.gapMs === undefined) silent++
      else gaps.push(move.gapMs)
    }
    const how =
      `two Chromium headless pages of the PWA (desktop + Pixel 7 emulation, fresh contexts) on one relay, direct WebRTC link; ` +
      `the session moves back and forth ${calls.length} times (K = ${K}, bounded to ${BUDGET_MS / 1_000} s), each once the previous target sounds; ` +
      `Web Audio output is Chromium's fake device`
    const gapNote =
      `${how}; gap = target's first sound − source's last sound on the shared clock (performance.timeOrigin + now), ` +
      `both mapped from the AudioContext with getOutputTimestamp(), so output latency counts on both sides` +
      (silent > 0 ? `; ${silent} moves arrived silent and are not counted` : '') +
      `; goal ≤ 150 ms on a LAN: ${summarise(gaps).p95 <= 150 ? 'met' : 'missed'} at p95`
    return [
      {
        bench: 'music-gap',
        case: 'audible gap on a session handoff, browser↔browser over WebRTC',
        unit: 'ms',
        result: summarise(gaps),
        baseline: { what: 'mesh.handoff() call, same moves', result: summarise(calls) },
        note: gapNote,
        samples: samplesOf(gaps, calls)
      },
      {
        bench: 'music-handoff',
        case: 'mesh.handoff() of the music session, called from the target, browser↔browser over WebRTC',
        unit: 'ms',
        result: summarise(calls),
        baseline: { what: 'mesh.ping() round trip, same link', result: summarise(pings) },
        note: `${how}; the call asks the host to move the session here (prepare, freeze, transfer, activate); p50 ${fmt(summarise(calls).p50)} ms`,
        samples: samplesOf(calls, pings)
      }
    ]
  } finally {
    await browser.close()
    await relay.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}
