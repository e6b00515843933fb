import { RECORDS_TOPIC } from 'mesh-core'
import type { HealthOptions, Mesh } from 'mesh-core'
import { meanDirectLinks, settle, startDevices, startRelay, stopAll, tcpAddrs, watchChurn } from './fleet.ts'
import type { PeerTuning } from './fleet.ts'
import { Latch } from './latch.ts'
import { LoadProbe } from './load-probe.ts'
import { fmt, percentile, samplesOf, summarise } from './stats.ts'
import type { Row } from './stats.ts'
import { until } from './until.ts'

const QUICK = process.env.MESH_BENCH_QUICK === '1'

interface Case {
  /** Node devices; one relay comes on top, all in this process. */
  n: number
  /** Measured runs of each kind (record, raw gossip), or as many as fit in a window. */
  runs: number | { windowMs: number; minRuns: number }
  /** Direct links per device, when not the mesh's default. */
  maxDirectPeers?: number
  /** How long starting and settling may take before the case gives up. */
  settleBudgetMs: number
}

const CASES: Case[] = QUICK
  ? [
      { n: 5, runs: 3, settleBudgetMs: 30_000 },
      { n: 12, runs: { windowMs: 3_000, minRuns: 2 }, settleBudgetMs: 60_000 }
    ]
  : [
      { n: 10, runs: 20, settleBudgetMs: 30_000 },
      { n: 50, runs: 20, settleBudgetMs: 120_000 },
      { n: 200, runs: { windowMs: 60_000, minRuns: 10 }, maxDirectPeers: 8, settleBudgetMs: 60_000 }
    ]
export const PROPAGATION_SIZES = CASES.map((c) => c.n)
const WINDOW_MAX_RUNS = 1_000
/** Unmeasured runs of each kind first: the raw topic's gossipsub mesh forms on them. */
const WARMUP_RUNS = 3
/** Up to this size, peers run with the mesh's default health settings. */
const DEFAULT_HEALTH_UP_TO = 10
const RUN_DEADLINE_MS = 15_000
/** Runs that miss RUN_DEADLINE_MS before a case gives up. */
const MAX_INCOMPLETE = 3
const RAW_TOPIC = 'bench/raw'

/**
 * One process carries every peer's background traffic: heartbeats and pings grow as N²
 * here, while a real device carries 1/N of it. Past DEFAULT_HEALTH_UP_TO the intervals,
 * and the silences that count as a failure, grow by (N / 10)², so the process carries
 * about the background load of 10 peers with the defaults. Anti-entropy runs every
 * second instead, so peers still learn of each other fast (a digest exchange that finds
 * nothing new costs no signature checks).
 */
function healthFor(n: number): HealthOptions | undefined {
  if (n <= DEFAULT_HEALTH_UP_TO) return undefined
  const f = (n / DEFAULT_HEALTH_UP_TO) ** 2
  return {
    heartbeatIntervalMs: 1_000 * f,
    pingIntervalMs: 2_000 * f,
    suspectAfterMs: 3_000 * f,
    downAfterMs: 8_000 * f,
    lostGraceMs: 2_000 * f,
    antiEntropyIntervalMs: 1_000
  }
}

function describeHealth(h: HealthOptions | undefined): string {
  if (h === undefined) return 'mesh defaults'
  const s = (ms: number | undefined): string => `${Number(((ms ?? 0) / 1_000).toPrecision(2))} s`
  return (
    `relaxed so one process can carry N² background traffic: heartbeat ${s(h.heartbeatIntervalMs)}, ` +
    `ping ${s(h.pingIntervalMs)}, suspect ${s(h.suspectAfterMs)}, down ${s(h.downAfterMs)}, ` +
    `lost grace ${s(h.lostGraceMs)}, anti-entropy ${s(h.antiEntropyIntervalMs)}`
  )
}

/** The run number a raw payload carries in its first four bytes. */
function tagOf(data: Uint8Array): number {
  return data.byteLength < 4 ? -1 : new DataView(data.buffer, data.byteOffset, 4).getUint32(0)
}

function payload(bytes: number, tag: number): Uint8Array {
  const out = crypto.getRandomValues(new Uint8Array(Math.max(4, bytes)))
  new DataView(out.buffer).setUint32(0, tag)
  return out
}

/** One advertiser, every other peer listening for its records and its raw gossip. */
class FanOut {
  private latch: Latch | undefined
  private wantSeq = -1
  private wantTag = -1
  private readonly offs: Array<() => void> = []
  /** Sizes of the advertiser's record envelopes as they arrived on gossip. */
  readonly recordBytes: number[] = []
  /** Process CPU time (user + system, ms) each measured fan-out took, by kind. */
  readonly cpuMs = { record: [] as number[], raw: [] as number[] }

  constructor(
    private readonly adv: Mesh,
    private readonly receivers: Mesh[]
  ) {
    for (const r of receivers) {
      this.offs.push(
        r.on('capabilities:change', ({ id, capabilities }) => {
          if (id === adv.peerId && capabilities.seq === this.wantSeq) this.latch?.hit(r.peerId)
        })
      )
      const pubsub = r.libp2p.services.pubsub
      const onMessage = (evt: CustomEvent<{ topic: string; data: Uint8Array }>): void => {
        if (evt.detail.topic === RAW_TOPIC && tagOf(evt.detail.data) === this.wantTag)
          this.latch?.hit(r.peerId)
      }
      pubsub.addEventListener('message', onMessage)
      this.offs.push(() => pubsub.removeEventListener('message', onMessage))
      pubsub.subscribe(RAW_TOPIC)
    }
    const sniffer = receivers[0]?.libp2p.services.pubsub
    const onRecord = (
      evt: CustomEvent<{ topic: string; data: Uint8Array; from?: { toString(): string } }>
    ): void => {
      if (evt.detail.topic === RECORDS_TOPIC && evt.detail.from?.toString() === adv.peerId)
        this.recordBytes.push(evt.detail.data.byteLength)
    }
    sniffer?.addEventListener('message', onRecord)
    this.offs.push(() => sniffer?.removeEventListener('message', onRecord))
    adv.libp2p.services.pubsub.subscribe(RAW_TOPIC)
  }

  /** advertise({ seq }) until every receiver emitted capabilities:change with it. */
  async record(seq: number): Promise<number> {
    this.latch = new Latch(
      this.receivers.map((r) => r.peerId),
      `capabilities:change seq ${seq}`
    )
    this.wantSeq = seq
    return this.timed(this.latch, 'record', () => this.adv.advertise({ seq }))
  }

  /** A raw gossipsub publish of `bytes` on RAW_TOPIC until every receiver's message event. */
  async raw(tag: number, bytes: number): Promise<number> {
    this.latch = new Latch(
      this.receivers.map((r) => r.peerId),
      `raw publish ${tag}`
    )
    this.wantTag = tag
    const data = payload(bytes, tag)
    return this.timed(this.latch, 'raw', async () => {
      await this.adv.libp2p.services.pubsub.publish(RAW_TOPIC, data)
    })
  }

  private async timed(latch: Latch, kind: 'record' | 'raw', send: () => Promise<void>): Promise<number> {
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    await send()
    const ms = (await latch.done(RUN_DEADLINE_MS)) - t0
    const cpu = process.cpuUsage(cpu0)
    this.cpuMs[kind].push((cpu.user + cpu.system) / 1_000)
    return ms
  }

  /** Every peer knows as many RAW_TOPIC subscribers as record subscribers. */
  subscribed(): boolean {
    return [this.adv, ...this.receivers].every((m) => {
      const ps = m.libp2p.services.pubsub
      return ps.getSubscribers(RAW_TOPIC).length >= ps.getSubscribers(RECORDS_TOPIC).length
    })
  }

  off(): void {
    for (const off of this.offs) off()
  }
}

/** Bench 1 at one size: settle, then how long a capability change takes to reach every peer. */
/** Start the fleet for one case and wait until every peer sees every other. */
async function startFleet(
  c: Case,
  tuning: PeerTuning,
  relay: Mesh
): Promise<{ devices: Mesh[]; started: number; settled: number }> {
  const probe = new LoadProbe()
  const t0 = performance.now()
  let devices: Mesh[] = []
  try {
    devices = await startDevices(tcpAddrs(relay), c.n, `p${c.n}`, tuning, c.settleBudgetMs)
    const started = performance.now() - t0
    await settle([relay, ...devices], Math.max(0, c.settleBudgetMs - started))
    return { devices, started, settled: performance.now() - t0 }
  } catch (err) {
    await stopAll(devices)
    throw new Error(`${(err as Error).message} (${probe.summary()})`, { cause: err })
  } finally {
    probe.stop()
  }
}

/** The measured runs, interleaved so both kinds see the same background. */
async function measure(c: Case, fan: FanOut, firstSeq: number, bytes: number) {
  const rec: number[] = []
  const raw: number[] = []
  let seq = firstSeq
  let incomplete = 0
  const window = typeof c.runs === 'number' ? undefined : c.runs
  const end = performance.now() + (window?.windowMs ?? 0)
  for (let i = 0; i < (window === undefined ? (c.runs as number) : WINDOW_MAX_RUNS); i++) {
    if (window !== undefined && i >= window.minRuns && performance.now() > end) break
    for (const kind of ['record', 'raw'] as const) {
      try {
        if (kind === 'record') rec.push(await fan.record(++seq))
        else raw.push(await fan.raw(++seq, bytes))
      } catch (err) {
        if (++incomplete > MAX_INCOMPLETE) throw err
        console.warn(`  N = ${c.n}: ${(err as Error).message}`)
      }
    }
  }
  return { rec, raw, incomplete }
}

/** Bench 1 at one size: settle, then how long a capability change takes to reach every peer. */
export async function benchPropagation(n: number): Promise<Row[]> {
  const c = CASES.find((x) => x.n === n)
  if (c === undefined) throw new Error(`no propagation case for N = ${n}`)
  const health = healthFor(n)
  const tuning: PeerTuning = {
    ...(health === undefined ? {} : { health }),
    ...(c.maxDirectPeers === undefined ? {} : { limits: { maxDirectPeers: c.maxDirectPeers } })
  }
  const relay = await startRelay(tuning)
  let devices: Mesh[] = []
  try {
    const fleet = await startFleet(c, tuning, relay)
    devices = fleet.devices
    console.log(
      `  N = ${n}: started in ${fleet.started.toFixed(0)} ms, settled in ${fleet.settled.toFixed(0)} ms`
    )
    const all = [relay, ...devices]
    const adv = devices[0] as Mesh
    const fan = new FanOut(
      adv,
      all.filter((m) => m !== adv)
    )
    const churn = watchChurn(all)
    let seq = 0
    for (let i = 0; i < WARMUP_RUNS; i++) await fan.record(++seq)
    const bytes = Math.max(...fan.recordBytes)
    await until(() => fan.subscribed(), 30_000, 'raw topic subscriptions', 50)
    for (let i = 0; i < WARMUP_RUNS; i++) await fan.raw(++seq, bytes)

    const probe = new LoadProbe()
    const { rec, raw, incomplete } = await measure(c, fan, seq, bytes)
    const load = probe.summary()
    probe.stop()
    fan.off()
    churn.off()
    const direct = meanDirectLinks(devices)
    const cpu =
      `process CPU per fan-out (p50): record ${fmt(percentile(fan.cpuMs.record, 0.5))} ms, ` +
      `raw ${fmt(percentile(fan.cpuMs.raw, 0.5))} ms`
    const where =
      `in-process: ${n} Node devices + 1 relay, loopback TCP` +
      (c.maxDirectPeers === undefined ? '' : `, maxDirectPeers ${c.maxDirectPeers}`)
    return [
      {
        bench: 'mesh-settle',
        case: `N = ${n}`,
        unit: 'ms',
        result: summarise([fleet.settled]),
        baseline: { what: 'all createMesh() resolved and online', result: summarise([fleet.started]) },
        note:
          `${where}, started 10 at a time, each batch online before the next; settled = every peer ` +
          `sees the other ${n} as healthy; ${direct.toFixed(1)} direct links per device after the ` +
          `runs; health: ${describeHealth(health)}`
      },
      {
        bench: 'capability-propagation',
        case: `N = ${n}`,
        unit: 'ms',
        result: summarise(rec),
        baseline: { what: `raw gossipsub publish, ${bytes} B`, result: summarise(raw) },
        samples: samplesOf(rec, raw),
        note:
          `${where}; advertise({ seq }) on one device until all ${n} others (devices and relay) ` +
          `emit capabilities:change; baseline the same fan-out of a raw publish of the record's size; ` +
          `${incomplete} runs missed ${RUN_DEADLINE_MS / 1_000} s; during the runs: ${churn.leaves} ` +
          `peer:leave, ${churn.unhealthy} unhealthy peer:status, ${cpu}, ${load}; ` +
          `health: ${describeHealth(health)}`
      }
    ]
  } finally {
    await stopAll([...devices, relay])
  }
}
