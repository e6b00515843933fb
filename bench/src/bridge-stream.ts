/**
 * `sensor.stream` from a real mesh-bridge process to a browser. The bridge runs on a fake
 * Raspberry Pi tree (bridge-proc.ts) against a relay that also serves the PWA; one
 * Chromium page of the PWA waits for a direct WebRTC link to the bridge, then streams the
 * accelerometer at 10, 50 and 100 Hz (bridge-page.ts) and times every sample from the
 * bridge's `at` stamp to the page's receipt (one machine, one clock). Baseline, same
 * runs, same link: the page's `mesh.ping` round trip halved (one way), taken before each
 * stream; and `sensor.read` round trips against the ping round trip.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import type { Browser, Page } from '@playwright/test'
import { createRelay } from 'mesh-relay'
import { CHROMIUM_ARGS, CHROMIUM_PATH, openPage, webrtcTo } from './browser-pages.ts'
import { pageAccelId, pagePings, pageReads, pageStream } from './bridge-page.ts'
import type { PageStreamResult } from './bridge-page.ts'
import { fakePiTree, startBridgeProcess } from './bridge-proc.ts'
import type { BridgeProcess } from './bridge-proc.ts'
import { LoadProbe } from './load-probe.ts'
import { fmt, samplesOf, summarise } from './stats.ts'
import type { Row } from './stats.ts'

const QUICK = process.env.MESH_BENCH_QUICK === '1'
const RUNS = QUICK ? 2 : 5
/** Asked rate (Hz) → samples per run: 20 s at 10 Hz, 10 s at 50 and 100 Hz (quick: a fifth). */
const RATES: Array<[hz: number, samples: number]> = QUICK
  ? [
      [10, 40],
      [50, 100],
      [100, 200]
    ]
  : [
      [10, 200],
      [50, 500],
      [100, 1_000]
    ]
const PINGS = QUICK ? 20 : 50
const READS = QUICK ? 20 : 50
const WARMUP = 20
const DIRECT_SAMPLES = 100
const LINK_MS = 60_000
/** A stream may take this much longer than samples ÷ rate before the page gives up on it. */
const SLACK = 1.5
const SLACK_MS = 5_000

interface PerRate {
  latencies: number[]
  oneWay: number[]
  rates: number[]
  produced: number[]
  maxGapMs: number
  timedOut: number
  addrs: Set<string>
  skew: number[]
}

async function stream(
  page: Page,
  peer: string,
  sensor: string,
  hz: number,
  n: number
): Promise<PageStreamResult> {
  const budgetMs = Math.round(((n * 1_000) / hz) * SLACK + SLACK_MS)
  return page.evaluate(pageStream, { peer, sensor, rateHz: hz, maxSamples: n, budgetMs })
}

export async function benchBridgeStream(pwaDir: string): Promise<Row[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mesh-bench-'))
  const root = await fakePiTree()
  const relay = await createRelay({ port: 0, host: '127.0.0.1', dataDir, pwaDir })
  let browser: Browser | undefined
  let bridge: BridgeProcess | undefined
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
    const tcp = relay.addresses.find((a) => a.startsWith('/ip4/127.0.0.1/tcp/') && !a.includes('/ws'))
    if (tcp === undefined) throw new Error(`relay has no loopback TCP address: ${relay.addresses.join(', ')}`)
    bridge = await startBridgeProcess(tcp, root, 'bench-pi')
    const peer = bridge.peerId
    const page = await (await browser.newContext()).newPage()
    await openPage(page, relay.url)
    const t0 = performance.now()
    await webrtcTo(page, peer, LINK_MS)
    const linkMs = performance.now() - t0
    const sensor = await page.evaluate(pageAccelId, peer)
    // Warm-up: the first stream and calls pay for JIT and buffers on both sides.
    await stream(page, peer, sensor, 100, WARMUP)
    await page.evaluate(pagePings, { peer, n: WARMUP })

    const probe = new LoadProbe()
    const per = new Map<number, PerRate>(
      RATES.map(([hz]) => [
        hz,
        {
          latencies: [],
          oneWay: [],
          rates: [],
          produced: [],
          maxGapMs: 0,
          timedOut: 0,
          addrs: new Set(),
          skew: []
        }
      ])
    )
    const reads: number[] = []
    const readPings: number[] = []
    for (let run = 0; run < RUNS; run++) {
      for (const [hz, n] of RATES) {
        const p = per.get(hz)!
        p.oneWay.push(...(await page.evaluate(pagePings, { peer, n: PINGS })).map((x) => x / 2))
        const r = await stream(page, peer, sensor, hz, n)
        if (r.samples < 2) throw new Error(`${hz} Hz stream gave ${r.samples} samples`)
        p.latencies.push(...r.latencies)
        p.rates.push(r.rate)
        p.produced.push(r.producedRate)
        p.maxGapMs = Math.max(p.maxGapMs, r.maxGapMs)
        p.timedOut += r.timedOut || r.samples < n ? 1 : 0
        p.addrs.add(r.addr)
        p.skew.push(...r.clockSkew)
      }
      readPings.push(...(await page.evaluate(pagePings, { peer, n: READS })))
      reads.push(...(await page.evaluate(pageReads, { peer, sensor, n: READS })))
    }
    const load = probe.summary()
    probe.stop()
    // Direct means direct: with the relay gone, samples still flow over the WebRTC link.
    await relay.close()
    const direct = await stream(page, peer, sensor, 100, DIRECT_SAMPLES).then(
      (r) => `${r.samples} of ${DIRECT_SAMPLES} samples (latency p50 ${fmt(summarise(r.latencies).p50)} ms)`,
      (err: unknown) => `failed (${(err as Error).message})`
    )

    const where = 'browser←mesh-bridge, WebRTC'
    const how =
      `one mesh-bridge process (fake Pi tree: MPU-6050 accelerometer via sysfs-bus-iio, --no-mdns --no-ffmpeg) and one ` +
      `Chromium headless page of the PWA on one relay, direct WebRTC link (${fmt(linkMs)} ms to come up; ` +
      `with the relay stopped after the runs, a 100 Hz stream still delivered ${direct}); ` +
      `${RUNS} runs, each rate in turn, after a ${WARMUP}-sample warm-up stream; bench process: ${load}`
    const rows: Row[] = []
    for (const [hz, n] of RATES) {
      const p = per.get(hz)!
      const lat = summarise(p.latencies)
      const base = summarise(p.oneWay)
      const skew = `Date.now() − (timeOrigin + performance.now()) in the page stayed within ${fmt(Math.min(...p.skew))}…${fmt(Math.max(...p.skew))} ms`
      const addrs = [...p.addrs].join(', ')
      rows.push({
        bench: 'bridge-stream-latency',
        case: `${where}, sensor.stream ${hz} Hz asked, ${n} samples/run`,
        unit: 'ms',
        result: lat,
        baseline: { what: 'mesh.ping RTT ÷ 2 (one way), same link', result: base },
        note:
          `${how}; per sample, page receive time − the sample's \`at\` (the bridge's Date.now(), a whole ms, taken as its mid-point); ` +
          `p50 ${fmt(lat.p50)} / p95 ${fmt(lat.p95)} / p99 ${fmt(lat.p99)} ms (max ${fmt(lat.max)}) over ${lat.runs} samples; ` +
          `one-way ping p50 ${fmt(base.p50)} ms (${PINGS} pings before each stream), so the stream adds ${fmt(lat.p50 - base.p50)} ms at p50; ` +
          `${skew}; the RPC stream ran on ${addrs}`,
        samples: samplesOf(p.latencies, p.oneWay)
      })
      const got = summarise(p.rates)
      const made = summarise(p.produced)
      rows.push({
        bench: 'bridge-stream-rate',
        case: `${where}, sensor.stream ${hz} Hz asked, ${n} samples/run`,
        unit: 'samples/s',
        result: got,
        baseline: { what: "the bridge's own rate (its `at` stamps)", result: made },
        note:
          `${how}; per run, (samples − 1) ÷ (last − first receive) in the page; p50 ${fmt(got.p50)} samples/s ` +
          `(min ${fmt(got.min)}) = ${fmt((got.p50 / hz) * 100)}% of the ${hz} Hz asked; the bridge stamped ${fmt(made.p50)}/s; ` +
          `longest gap between two samples ${fmt(p.maxGapMs)} ms; ${p.timedOut} of ${RUNS} runs fell short of ${n} samples in their time budget`,
        samples: samplesOf(p.rates, p.produced)
      })
    }
    const rd = summarise(reads)
    const pg = summarise(readPings)
    rows.push({
      bench: 'bridge-sensor-read',
      case: `${where}, sensor.read round trip`,
      unit: 'ms',
      result: rd,
      baseline: { what: 'mesh.ping RTT, same link', result: pg },
      note: `${how}; ${RUNS}×${READS} sequential sensor.read calls (3 sysfs channels read fresh each call), after ${RUNS}×${READS} pings; p50 ${fmt(rd.p50)} / p99 ${fmt(rd.p99)} ms against ping p50 ${fmt(pg.p50)} ms`,
      samples: samplesOf(reads, readPings)
    })
    return rows
  } finally {
    await browser?.close()
    await bridge?.stop()
    await relay.close()
    await rm(dataDir, { recursive: true, force: true })
    await rm(root, { recursive: true, force: true })
  }
}
