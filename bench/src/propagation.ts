import { RECORDS_TOPIC } from 'mesh-core'
import type { Mesh } from 'mesh-core'
import { meanDirectLinks, settle, startDevices, startRelay, stopAll, tcpAddrs, watchChurn } from './fleet.ts'
import type { PeerTuning } from './fleet.ts'
import { Latch } from './latch.ts'
import { LoadProbe } from './load-probe.ts'
import { fmt, percentile, samplesOf, summarise } from './stats.ts'
import type { Row } from './stats.ts'
import { until } from './until.ts'
import {
  RAW_TOPIC,
  RUN_DEADLINE_MS,
  WARMUP_RUNS,
  caseLabel,
  describeHealth,
  healthFor,
  measure
} from './propagation-common.ts'
import type { Case, Fan } from './propagation-common.ts'
import { benchPropagationProcs } from './propagation-procs.ts'
import { payload, tagOf } from './raw-payload.ts'

const QUICK = process.env.MESH_BENCH_QUICK === '1'

/**
 * Up to N = 10 everything runs in the bench process, as before. Past it the devices run
 * in worker processes (fleet-worker.ts): one event loop cannot carry 200 libp2p nodes
 * (only 104 came online in 60 s), and at N = 50 it lagged by seconds, which the numbers
 * then measured. The quick mode keeps one small case of each kind.
 */
const CASES: Case[] = QUICK
  ? [
      { n: 5, runs: 3, settleBudgetMs: 30_000 },
      { n: 12, runs: { windowMs: 3_000, minRuns: 2 }, settleBudgetMs: 120_000, processes: 2, startRound: 6 }
    ]
  : [
      { n: 10, runs: 20, settleBudgetMs: 30_000 },
      { n: 50, runs: 20, settleBudgetMs: 180_000, processes: 4, startRound: 10 },
      {
        n: 200,
        runs: { windowMs: 60_000, minRuns: 10 },
        maxDirectPeers: 8,
        settleBudgetMs: 600_000,
        processes: 8,
        startRound: 16,
        settleBy: 'registry'
      }
    ]
export const PROPAGATION_SIZES = CASES.map((c) => c.n)

/** One advertiser, every other peer listening for its records and its raw gossip. */
class FanOut implements Fan {
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

/** Bench 1 at one size: settle, then how long a capability change takes to reach every peer. */
export async function benchPropagation(n: number): Promise<Row[]> {
  const c = CASES.find((x) => x.n === n)
  if (c === undefined) throw new Error(`no propagation case for N = ${n}`)
  if (c.processes !== undefined) return benchPropagationProcs(c)
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
        case: caseLabel(c),
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
        case: caseLabel(c),
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
