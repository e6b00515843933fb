/**
 * Live actor handoff browser↔browser over WebRTC: two Chromium pages of the PWA (served
 * by the relay, fresh contexts) with a direct WebRTC link, actor 'bench.blob' defined in
 * both (handoff-page.ts). The page that hosts the actor moves it to the other one, back
 * and forth; the baseline sends the same bytes once over a raw libp2p stream on the same
 * WebRTC connection, alternating with the moves.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import type { Page } from '@playwright/test'
import { encodeCbor } from 'mesh-core'
import { createRelay } from 'mesh-relay'
import { blobState, longestGap, sizeLabel } from './handoff-blob.ts'
import type { Applied } from './handoff-blob.ts'
import { HANDOFF_SIZES, PAUSE_SIZES } from './handoff-node.ts'
import {
  pageCheck,
  pageHandoffSetup,
  pageLastApplied,
  pageMove,
  pageRaw,
  pageSenderStart,
  pageSenderStop,
  pageSent,
  pageSpawn,
  pageTakeLog
} from './handoff-page.ts'
import { CHROMIUM_ARGS, CHROMIUM_PATH, openPage, webrtcTo } from './browser-pages.ts'
import { LoadProbe } from './load-probe.ts'
import { fmt, samplesOf, summarise } from './stats.ts'
import type { Row } from './stats.ts'

const QUICK = process.env.MESH_BENCH_QUICK === '1'
const MOVES = QUICK ? 6 : 20
const WARMUP = 2
const SIZE_DEADLINE_MS = QUICK ? 30_000 : 90_000
const LINK_MS = 60_000
const SEND_EVERY_MS = 2
const RESUME_MS = 10_000

export async function benchHandoffBrowser(pwaDir: string): Promise<Row[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mesh-bench-'))
  const relay = await createRelay({ port: 0, host: '127.0.0.1', dataDir, pwaDir })
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS
  })
  const rows: Row[] = []
  try {
    const pages = [
      await (await browser.newContext()).newPage(),
      await (await browser.newContext()).newPage()
    ] as const
    const ids = [await openPage(pages[0], relay.url), await openPage(pages[1], relay.url)] as const
    const t0 = performance.now()
    await Promise.all([webrtcTo(pages[0], ids[1], LINK_MS), webrtcTo(pages[1], ids[0], LINK_MS)])
    const linkMs = performance.now() - t0
    for (const p of pages) await p.evaluate(pageHandoffSetup)
    for (const bytes of HANDOFF_SIZES) {
      const wire = encodeCbor(blobState(bytes)).byteLength
      const pid = await pages[0].evaluate(pageSpawn, bytes)
      let at = 0
      const raw = (): Promise<number> =>
        (pages[at] as Page).evaluate(pageRaw, { peer: ids[1 - at] as string, bytes: wire })
      const move = async (): Promise<number> => {
        const r = await (pages[at] as Page).evaluate(pageMove, { pid, to: ids[1 - at] as string })
        at = 1 - at
        return r.ms
      }
      for (let i = 0; i < WARMUP; i++) {
        await raw()
        await move()
      }
      const probe = new LoadProbe()
      const ours: number[] = []
      const base: number[] = []
      const end = Date.now() + SIZE_DEADLINE_MS
      while (ours.length < MOVES && Date.now() < end) {
        base.push(await raw())
        ours.push(await move())
      }
      const load = probe.summary()
      probe.stop()
      const s = await pages[0].evaluate(pageCheck, pid)
      if (!s.ok || s.bytes !== bytes) throw new Error(`handoff lost state: ${JSON.stringify(s)}`)
      const ratio = summarise(ours).p50 / summarise(base).p50
      rows.push({
        bench: 'actor-handoff',
        case: `browser↔browser, WebRTC, ${sizeLabel(bytes)} state`,
        unit: 'ms',
        result: summarise(ours),
        baseline: {
          what: 'the same bytes once over a raw libp2p stream, same WebRTC connection, 1-byte ack',
          result: summarise(base)
        },
        note:
          `two Chromium headless pages of the PWA (fresh contexts) on one relay, direct WebRTC link (${fmt(linkMs)} ms to ` +
          `come up); the page hosting the actor calls mesh.handoff(pid, { to: other page }), timed in the page, moves ` +
          `alternating; ${ours.length} moves after ${WARMUP * 2} warm-up; raw = ${wire} B (the CBOR state's size) as one ` +
          `request on /bench/blob/1.0.0, alternating with the moves; p50 ratio ${fmt(ratio)}× the raw request; state ` +
          `checked intact after the moves; page timers are Chromium's (coarsened); bench process: ${load}`,
        samples: samplesOf(ours, base)
      })
    }
    for (const bytes of PAUSE_SIZES) rows.push(await pauseRow(pages, ids, bytes, linkMs))
  } finally {
    await browser.close()
    await relay.close()
    await rm(dataDir, { recursive: true, force: true })
  }
  return rows
}

/** Wait until `page` has applied a message numbered above `upTo`. */
async function resumed(page: Page, upTo: number): Promise<void> {
  await page.waitForFunction(
    (u) =>
      ((window as unknown as { __handoffBench: { log: Array<{ n: number }> } }).__handoffBench.log.at(-1)
        ?.n ?? 0) > u,
    upTo,
    { timeout: RESUME_MS, polling: 2 }
  )
}

/**
 * Page A sends `{ n }` to the actor every SEND_EVERY_MS while it moves between the pages;
 * the longest gap between messages it applies (in whichever page), per move, against
 * windows as long as a move without one.
 */
async function pauseRow(
  pages: readonly [Page, Page],
  ids: readonly [string, string],
  bytes: number,
  linkMs: number
): Promise<Row> {
  for (const p of pages) await p.evaluate(pageTakeLog)
  const pid = await pages[0].evaluate(pageSpawn, bytes)
  let at = 0
  const host = (): Page => pages[at] as Page
  const moves: Array<{ from: number; upTo: number }> = []
  const windows: Array<{ from: number; upTo: number }> = []
  const moveMs: number[] = []
  const move = async (): Promise<{ from: number; upTo: number }> => {
    const r = await host().evaluate(pageMove, { pid, to: ids[1 - at] as string })
    at = 1 - at
    moveMs.push(r.ms)
    const { sent } = await pages[0].evaluate(pageSent)
    await resumed(host(), sent)
    return { from: r.wall, upTo: sent }
  }
  const probe = new LoadProbe()
  await pages[0].evaluate(pageSenderStart, { pid, everyMs: SEND_EVERY_MS })
  let sent: number
  try {
    await resumed(host(), 10)
    for (let i = 0; i < WARMUP; i++) await move()
    moveMs.length = 0
    const end = Date.now() + SIZE_DEADLINE_MS
    while (moves.length < MOVES && Date.now() < end) {
      const s0 = await pages[0].evaluate(pageSent)
      await new Promise((r) => setTimeout(r, Math.max(SEND_EVERY_MS, moveMs.at(-1) ?? 20)))
      const s1 = await pages[0].evaluate(pageSent)
      await resumed(host(), s1.sent)
      windows.push({ from: s0.wall, upTo: s1.sent })
      moves.push(await move())
    }
  } finally {
    sent = await pages[0].evaluate(pageSenderStop)
  }
  const load = probe.summary()
  probe.stop()
  await host().waitForFunction(
    (n) =>
      (window as unknown as { __handoffBench: { log: Array<{ n: number }> } }).__handoffBench.log.at(-1)
        ?.n === n,
    sent,
    { timeout: RESUME_MS, polling: 5 }
  )
  if ((await host().evaluate(pageLastApplied)) !== sent) throw new Error('not every message was applied')
  const parts = [await pages[0].evaluate(pageTakeLog), await pages[1].evaluate(pageTakeLog)]
  const log: Applied[] = parts.flatMap((p) => p.log).sort((x, y) => x.n - y.n)
  const disorder = parts.flatMap((p) => p.disorder)
  const wrong = log.findIndex((x, i) => x.n !== i + 1)
  if (wrong >= 0 || log.length !== sent || disorder.length > 0)
    throw new Error(
      `browser ${sizeLabel(bytes)}: ${sent} sent, ${log.length} applied, first out of place at #${wrong}, ` +
        `disorder: ${disorder.slice(0, 5).join('; ')}`
    )
  const s = await pages[0].evaluate(pageCheck, pid)
  if (!s.ok || s.bytes !== bytes || s.n !== sent) throw new Error(`handoff lost state: ${JSON.stringify(s)}`)
  const pauses = moves.map((w) => longestGap(log, w.from, w.upTo))
  const base = windows.map((w) => longestGap(log, w.from, w.upTo))
  return {
    bench: 'actor-handoff-pause',
    case: `browser↔browser, WebRTC, ${sizeLabel(bytes)} state, a send every ${SEND_EVERY_MS} ms`,
    unit: 'ms',
    result: summarise(pauses),
    baseline: { what: 'longest gap in a window as long as a move, no move', result: summarise(base) },
    note:
      `two Chromium pages, direct WebRTC link (${fmt(linkMs)} ms to come up); page A sends { n } to the pid every ` +
      `${SEND_EVERY_MS} ms on average (priority high; Chromium clamps repeating timers to 4 ms, so a tick sends what is ` +
      `due) while the actor moves A→B and B→A, so half the moves start with the sender local; each run is the longest ` +
      `gap between consecutive messages the actor applied (wall clock, performance.timeOrigin + now(), both pages on one ` +
      `machine), from the last applied before the move to the first one sent after it resolved; ${moves.length} moves ` +
      `(handoff p50 ${fmt(summarise(moveMs).p50)} ms under load); ${sent} messages, each applied exactly once and in ` +
      `order (checked); bench process: ${load}`,
    samples: samplesOf(pauses, base)
  }
}
