/**
 * Capability propagation with the devices in worker processes (fleet-worker.ts): the
 * relay and the advertiser (one of the N devices) in the bench process, the other N - 1
 * devices spread over the workers. A run's latency is the latest arrival over all
 * receivers minus the send, both as `performance.timeOrigin + performance.now()`, which
 * compares across the processes of one machine (checked: see clockSkew).
 */
import { RECORDS_TOPIC, createMesh } from 'mesh-core'
import type { Mesh } from 'mesh-core'
import { deviceOptions, seesAll, startRelay, stopAll, tcpAddrs, watchChurn } from './fleet.ts'
import type { PeerTuning } from './fleet.ts'
import { WorkerFleet, describeLoads } from './fleet-procs.ts'
import type { FleetStatus } from './fleet-procs.ts'
import type { ArrivalKind } from './fleet-protocol.ts'
import { Latch } from './latch.ts'
import { LoadProbe } from './load-probe.ts'
import {
  RAW_TOPIC,
  RUN_DEADLINE_MS,
  WARMUP_RUNS,
  caseLabel,
  describeHealth,
  healthFor,
  measure,
  warmUp
} from './propagation-common.ts'
import type { Case, Fan } from './propagation-common.ts'
import { payload, tagOf, wallNow } from './raw-payload.ts'
import { samplesOf, summarise } from './stats.ts'
import type { Row } from './stats.ts'

/** How long a worker may take to answer: a busy event loop lags by seconds. */
const IPC_MS = 30_000
/** Settle polls: every status query builds N PeerInfo per device in every worker. */
const POLL_MS = 1_000
const PROGRESS_EVERY_MS = 10_000
/**
 * Between start rounds, the workers' event-loop delay (p99 over one poll) must drop under
 * this: past a few seconds of lag, connection set-up (noise, multistream, identify) misses
 * libp2p's 10 s timeouts and every retry adds load. At most CALM_POLLS polls per round.
 */
const CALM_LAG_MS = 500
const CALM_POLLS = 10
/** Workers run with `--cpu-prof` into this directory when it is set. */
const PROFILE_DIR = process.env.MESH_BENCH_WORKER_PROF

/** The advertiser in this process; the relay here and every worker device listening. */
class ProcFanOut implements Fan {
  private latch: Latch | undefined
  private want: { kind: ArrivalKind; key: number } | undefined
  private lasts: number[] = []
  private readonly offs: Array<() => void> = []
  /** Sizes of the advertiser's record envelopes as they arrived at the relay. */
  readonly recordBytes: number[] = []

  constructor(
    private readonly fleet: WorkerFleet,
    private readonly adv: Mesh,
    private readonly relay: Mesh
  ) {
    for (const w of fleet.workers) {
      w.onArrived = (m) => {
        if (this.want?.kind !== m.kind || this.want.key !== m.key) return
        this.lasts.push(m.last)
        this.latch?.hit(`w${w.index}`)
      }
    }
    this.offs.push(
      relay.on('capabilities:change', ({ id, capabilities }) => {
        if (id === adv.peerId && typeof capabilities.seq === 'number')
          this.hitRelay('record', capabilities.seq)
      })
    )
    const pubsub = relay.libp2p.services.pubsub
    const onMessage = (
      evt: CustomEvent<{ topic: string; data: Uint8Array; from?: { toString(): string } }>
    ): void => {
      const d = evt.detail
      if (d.topic === RAW_TOPIC) this.hitRelay('raw', tagOf(d.data))
      if (d.topic === RECORDS_TOPIC && d.from?.toString() === adv.peerId)
        this.recordBytes.push(d.data.byteLength)
    }
    pubsub.addEventListener('message', onMessage)
    this.offs.push(() => pubsub.removeEventListener('message', onMessage))
    pubsub.subscribe(RAW_TOPIC)
    adv.libp2p.services.pubsub.subscribe(RAW_TOPIC)
  }

  private hitRelay(kind: ArrivalKind, key: number): void {
    if (this.want?.kind !== kind || this.want.key !== key) return
    this.lasts.push(wallNow())
    this.latch?.hit('relay')
  }

  record(seq: number): Promise<number> {
    return this.run('record', seq, () => this.adv.advertise({ seq }))
  }

  raw(tag: number, bytes: number): Promise<number> {
    const data = payload(bytes, tag)
    return this.run('raw', tag, async () => {
      await this.adv.libp2p.services.pubsub.publish(RAW_TOPIC, data)
    })
  }

  private async run(kind: ArrivalKind, key: number, send: () => Promise<void>): Promise<number> {
    this.want = { kind, key }
    this.lasts = []
    const latch = (this.latch = new Latch(
      ['relay', ...this.fleet.workers.map((w) => `w${w.index}`)],
      `${kind === 'record' ? 'capabilities:change seq' : 'raw publish'} ${key}`
    ))
    try {
      await this.fleet.all({ type: 'arm', kind, key }, IPC_MS)
      const t0 = wallNow()
      await send()
      await latch.done(RUN_DEADLINE_MS)
      return Math.max(...this.lasts) - t0
    } catch (err) {
      const missing = await this.fleet
        .all({ type: 'disarm' }, IPC_MS)
        .then((xs) => xs.reduce((a: number, x) => a + (typeof x === 'number' ? x : 0), 0))
        .catch(() => Number.NaN)
      throw new Error(`${(err as Error).message} (${missing} worker devices missing it)`, { cause: err })
    } finally {
      this.want = undefined
    }
  }

  /** Every peer knows as many RAW_TOPIC subscribers as record subscribers. */
  async subscribed(): Promise<boolean> {
    const local = [this.adv, this.relay].every((m) => {
      const ps = m.libp2p.services.pubsub
      return ps.getSubscribers(RAW_TOPIC).length >= ps.getSubscribers(RECORDS_TOPIC).length
    })
    const counts = await this.fleet.all({ type: 'subscribed', topic: RAW_TOPIC }, IPC_MS)
    return (
      local && counts.reduce((a: number, x) => a + (typeof x === 'number' ? x : 0), 0) >= this.fleet.devices
    )
  }

  off(): void {
    for (const off of this.offs) off()
    for (const w of this.fleet.workers) w.onArrived = () => {}
  }
}

function describeStatus(s: FleetStatus, members: number): string {
  return (
    `${s.healthyAll} of ${s.devices} worker devices see all ${members - 1} others healthy, ` +
    `${s.knowAll} know all (fewest known ${s.minKnown}, fewest healthy ${s.minHealthy})`
  )
}

/** Whether `m`'s registry view holds every id in `ids` other than its own. */
function knowsAll(m: Mesh, ids: ReadonlySet<string>): boolean {
  const known = new Set(m.peers().map((p) => p.id))
  for (const id of ids) if (id !== m.peerId && !known.has(id)) return false
  return true
}

/** Poll until every device, the relay and the advertiser see (or, by `c.settleBy`, know) every other member. */
async function settle(
  c: Case,
  fleet: WorkerFleet,
  local: Mesh[],
  members: string[],
  deadlineMs: number
): Promise<FleetStatus> {
  const ids = new Set(members)
  const end = Date.now() + deadlineMs
  let said = Date.now()
  const polls = Math.max(1, Math.ceil(deadlineMs / POLL_MS))
  // Bounded by time and by count; polled at least once, even with no time left.
  for (let i = 0; i <= polls; i++) {
    const s = await fleet.status(members.length, IPC_MS)
    const byRegistry = c.settleBy === 'registry'
    const localOk = local.filter((m) => (byRegistry ? knowsAll(m, ids) : seesAll(m, ids))).length
    if ((byRegistry ? s.knowAll : s.healthyAll) === s.devices && localOk === local.length) return s
    const what = `${describeStatus(s, members.length)}; ${localOk} of ${local.length} in the bench process`
    if (Date.now() > end)
      throw new Error(
        `settle ${c.n} peers: not met within the budget (${Math.max(0, deadlineMs / 1_000).toFixed(0)} s left after the start): ${what}`
      )
    if (Date.now() - said > PROGRESS_EVERY_MS) {
      console.log(`  N = ${c.n}: settling: ${what}`)
      said = Date.now()
    }
    await new Promise<void>((r) => setTimeout(r, POLL_MS)) // the poll interval
  }
  throw new Error(`settle ${c.n} peers: gave up after ${polls} polls`)
}

/** Wait (bounded) until every worker's event loop lags less than CALM_LAG_MS; returns the polls. */
async function calm(fleet: WorkerFleet): Promise<number> {
  await fleet.load(true, IPC_MS)
  for (let i = 1; i <= CALM_POLLS; i++) {
    await new Promise<void>((r) => setTimeout(r, POLL_MS)) // the poll interval
    const loads = await fleet.load(true, IPC_MS)
    if (Math.max(...loads.map((l) => l.lagP99Ms)) < CALM_LAG_MS) return i
  }
  return CALM_POLLS
}

/** Bench 1 at one size over worker processes. */
export async function benchPropagationProcs(c: Case): Promise<Row[]> {
  const n = c.n
  const processes = Math.min(c.processes ?? 1, n - 1)
  const health = healthFor(n)
  const tuning: PeerTuning = {
    ...(health === undefined ? {} : { health }),
    ...(c.maxDirectPeers === undefined ? {} : { limits: { maxDirectPeers: c.maxDirectPeers } })
  }
  const relay = await startRelay(tuning)
  let adv: Mesh | undefined
  let fleet: WorkerFleet | undefined
  const probe = new LoadProbe()
  try {
    const t0 = performance.now()
    const execArgv = PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`]
    fleet = await WorkerFleet.start(processes, execArgv)
    console.log(`  N = ${n}: ${processes} fleet workers, pids ${fleet.pids.join(' ')}`)
    const round = c.startRound ?? 10
    let said = Date.now()
    const f = fleet
    let calmPolls = 0
    await fleet
      .grow({
        total: n - 1,
        prefix: `p${n}`,
        bootstrap: tcpAddrs(relay),
        tuning,
        round,
        deadlineMs: c.settleBudgetMs,
        onRound: (online) => {
          if (Date.now() - said < PROGRESS_EVERY_MS) return
          said = Date.now()
          console.log(`  N = ${n}: ${online} of ${n - 1} worker devices online`)
        },
        afterRound: async () => void (calmPolls += await calm(f))
      })
      .catch(async (err: unknown) => {
        const loads = await f.load(false, IPC_MS).catch(() => [])
        throw new Error(`${(err as Error).message}; workers: ${describeLoads(loads)}`, { cause: err })
      })
    // The advertiser joins last: every device dials the peers it heard of first, so the
    // first to join carry the most links, and the bench process must stay light.
    adv = await createMesh(deviceOptions(tcpAddrs(relay), `p${n}-adv`, tuning))
    const started = performance.now() - t0
    const members = [relay.peerId, adv.peerId, ...fleet.peerIds]
    await fleet.all({ type: 'fleet', ids: members }, IPC_MS)
    const settledStatus = await settle(c, fleet, [relay, adv], members, c.settleBudgetMs - started).catch(
      async (err: unknown) => {
        const loads = await f.load(false, IPC_MS).catch(() => [])
        throw new Error(`${(err as Error).message}; workers: ${describeLoads(loads)}`, { cause: err })
      }
    )
    const settled = performance.now() - t0
    const settledBy =
      c.settleBy === 'registry'
        ? `knows the other ${n} (registry view; health lags behind: a peer whose connection closed stays suspect until it is heard again, up to one relaxed heartbeat)`
        : `sees the other ${n} as healthy`
    const settleLoad = describeLoads(await fleet.load(true, IPC_MS))
    console.log(`  N = ${n}: started in ${started.toFixed(0)} ms, settled in ${settled.toFixed(0)} ms`)

    await fleet.all({ type: 'listen', topic: RAW_TOPIC, from: adv.peerId }, IPC_MS)
    const fan = new ProcFanOut(fleet, adv, relay)
    const churn = watchChurn([relay, adv])
    let seq = 0
    const warmRecord = await warmUp(c, fan, 'record', seq)
    seq = warmRecord.seq
    if (fan.recordBytes.length === 0) throw new Error('no record of the advertiser reached the relay')
    const bytes = Math.max(...fan.recordBytes)
    let subscribed = false
    for (let i = 0; i < 60 && !subscribed; i++) {
      subscribed = await fan.subscribed()
      if (!subscribed) await new Promise<void>((r) => setTimeout(r, 500)) // the poll interval
    }
    if (!subscribed) throw new Error('raw topic subscriptions: not complete within 30 s')
    const warmRaw = await warmUp(c, fan, 'raw', seq, bytes)
    seq = warmRaw.seq

    const skew0 = await fleet.clockSkew(IPC_MS)
    const runProbe = new LoadProbe()
    await fleet.load(true, IPC_MS)
    const { rec, raw, incomplete } = await measure(c, fan, seq, bytes)
    const runLoad = describeLoads(await fleet.load(false, IPC_MS))
    const benchLoad = runProbe.summary()
    runProbe.stop()
    const skew1 = await fleet.clockSkew(IPC_MS)
    const after = await fleet.status(members.length, IPC_MS)
    fan.off()
    churn.off()
    const skew = Math.abs(skew0.offsetMs) > Math.abs(skew1.offsetMs) ? skew0 : skew1
    const per = Math.ceil((n - 1) / processes)
    const where =
      `${processes} worker processes × ${per === (n - 1) / processes ? per : `≤ ${per}`} Node devices ` +
      `(bench/dist/fleet-worker.js), the advertiser (one of the ${n} devices) and the relay in the bench ` +
      `process; loopback TCP` +
      (c.maxDirectPeers === undefined ? '' : `, maxDirectPeers ${c.maxDirectPeers}`)
    return [
      {
        bench: 'mesh-settle',
        case: caseLabel(c),
        unit: 'ms',
        result: summarise([settled]),
        baseline: { what: 'all createMesh() resolved and online', result: summarise([started]) },
        note:
          `${where}, started ${round} at a time spread over the workers, each round online and every ` +
          `worker's event-loop delay p99 under ${CALM_LAG_MS} ms (${calmPolls} polls of ${POLL_MS} ms in ` +
          `all) before the next; settled = every peer ${settledBy}; at that point ` +
          `${describeStatus(settledStatus, members.length)}; ` +
          `${settledStatus.meanDirect.toFixed(1)} direct links per worker device when settled, ` +
          `${after.meanDirect.toFixed(1)} after the runs; workers while settling: ${settleLoad}; ` +
          `health: ${describeHealth(health)}`
      },
      {
        bench: 'capability-propagation',
        case: caseLabel(c),
        unit: 'ms',
        result: summarise(rec),
        baseline: { what: `raw gossipsub publish, ${bytes} B`, result: summarise(raw) },
        samples: samplesOf(rec, raw),
        note:
          `${where}; advertise({ seq }) on the advertiser until all ${n} others (devices and relay) ` +
          `emit capabilities:change; latency = latest arrival over all receivers − send, each as ` +
          `performance.timeOrigin + performance.now() in its own process (worker clocks within ` +
          `${Math.abs(skew.offsetMs).toFixed(1)} ms of the bench's, ±${(skew.rttMs / 2).toFixed(1)} ms); ` +
          `baseline the same fan-out of a raw publish of the record's size; ${incomplete} runs missed ` +
          `${RUN_DEADLINE_MS / 1_000} s (warm-up: ${warmRecord.missed + warmRaw.missed} of ${2 * WARMUP_RUNS}); during the runs: ${churn.leaves + after.leaves} peer:leave, ` +
          `${churn.unhealthy + after.unhealthy} unhealthy peer:status; workers: ${runLoad}; bench ` +
          `process: ${benchLoad}; health: ${describeHealth(health)}`
      }
    ]
  } catch (err) {
    const how = `${processes} worker processes × ≤ ${Math.ceil((n - 1) / processes)} devices, relay and advertiser in the bench process`
    throw new Error(`${how}: ${(err as Error).message} (bench process: ${probe.summary()})`, { cause: err })
  } finally {
    probe.stop()
    await fleet?.stop()
    await stopAll(adv === undefined ? [relay] : [adv, relay])
  }
}
