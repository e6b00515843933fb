/**
 * Tasks browser↔browser over WebRTC: two Chromium pages of the PWA (served by the relay)
 * with a direct WebRTC link. Page A runs the loops (work-page.ts) against task
 * 'bench.echo' defined in page B, and against a raw libp2p echo protocol handled in page
 * B over the same WebRTC connection.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { createRelay } from 'mesh-relay'
import { CHROMIUM_ARGS, CHROMIUM_PATH, openPage, webrtcTo } from './browser-pages.ts'
import { LoadProbe } from './load-probe.ts'
import { fmt, samplesOf, summarise } from './stats.ts'
import type { Row } from './stats.ts'
import { pageLoops, pageServe } from './work-page.ts'
import type { PageLoopResult } from './work-page.ts'

const QUICK = process.env.MESH_BENCH_QUICK === '1'
const ROUNDS = 5
const SEQ = QUICK ? 40 : 100
const PIPE = QUICK ? 300 : 1_000
const WINDOW = 256
const WARMUP = QUICK ? 20 : 100
const BYTES = 64
const LINK_MS = 60_000

export async function benchWorkBrowser(pwaDir: string): Promise<Row[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mesh-bench-'))
  const relay = await createRelay({ port: 0, host: '127.0.0.1', dataDir, pwaDir })
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS
  })
  try {
    // A fresh context each: two identities, as on two devices.
    const pageA = await (await browser.newContext()).newPage()
    const pageB = await (await browser.newContext()).newPage()
    const idA = await openPage(pageA, relay.url)
    const idB = await openPage(pageB, relay.url)
    const t0 = performance.now()
    await Promise.all([webrtcTo(pageA, idB, LINK_MS), webrtcTo(pageB, idA, LINK_MS)])
    const linkMs = performance.now() - t0
    await pageB.evaluate(pageServe)
    const probe = new LoadProbe()
    const r: PageLoopResult = await pageA.evaluate(pageLoops, {
      peer: idB,
      rounds: ROUNDS,
      seq: SEQ,
      pipe: PIPE,
      window: WINDOW,
      warmup: WARMUP,
      bytes: BYTES
    })
    const load = probe.summary()
    probe.stop()
    const med = (xs: number[]): number => summarise(xs).p50
    const where = `browser↔browser, WebRTC, ${BYTES} B payload`
    const how =
      `two Chromium headless pages of the PWA (fresh contexts) on one relay, direct WebRTC link (${fmt(linkMs)} ms to come up); ` +
      `loops run in page A against page B; raw = /bench/echo/1.0.0 handled in page B, one long-lived stream on the connection ` +
      `the RPC stream uses (${r.addr}), varint-length-prefixed frames; ${ROUNDS} rounds, raw and Mesh alternating, after ${WARMUP} warm-up calls each; ` +
      `page timers are Chromium's (coarsened); bench process: ${load}`
    const rawWhat = 'raw libp2p echo, same WebRTC connection'
    const mk = (kase: string, unit: string, ours: number[], raw: number[], note: string): Row => ({
      bench: unit === 'ms' ? 'task-round-trip' : 'task-throughput',
      case: `${where}, ${kase}`,
      unit,
      result: summarise(ours),
      baseline: { what: rawWhat, result: summarise(raw) },
      note: `${how}; ${note}`,
      samples: samplesOf(ours, raw)
    })
    const over = (x: number): string => `overhead ${x.toFixed(2)}× the raw echo (goal ≤ 1.5×)`
    return [
      mk(
        'sequential',
        'ms',
        r.seqOurs,
        r.seqRaw,
        `${ROUNDS}×${SEQ} calls one at a time; ${over(med(r.seqOurs) / med(r.seqRaw))}; goal p50 ≤ 5 ms: ${med(r.seqOurs) <= 5 ? 'met' : 'missed'}`
      ),
      mk(
        'sequential',
        'calls/s',
        r.rateOurs,
        r.rateRaw,
        `each run ${SEQ} calls one at a time; ratio column is ours / raw (lower is worse); ${over(med(r.rateRaw) / med(r.rateOurs))}`
      ),
      mk(
        `pipelined (${WINDOW} in flight)`,
        'calls/s',
        r.pipeOurs,
        r.pipeRaw,
        `each run ${PIPE} calls, ${WINDOW} in flight; ratio column is ours / raw (lower is worse); ${over(med(r.pipeRaw) / med(r.pipeOurs))}`
      )
    ]
  } finally {
    await browser.close()
    await relay.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}
