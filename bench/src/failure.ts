import { createMesh } from 'mesh-core'
import type { Mesh } from 'mesh-core'
import { deviceOptions, settle, startDevices, startRelay, stopAll, tcpAddrs } from './fleet.ts'
import { healthDefaults } from './health-defaults.ts'
import { Latch } from './latch.ts'
import { LoadProbe } from './load-probe.ts'
import { fmt, percentile, samplesOf, summarise } from './stats.ts'
import type { Row } from './stats.ts'
import { until } from './until.ts'
import { startVictim } from './victim-process.ts'

const QUICK = process.env.MESH_BENCH_QUICK === '1'
/** In-process devices watching each victim; the relay watches too. */
const OBSERVERS = QUICK ? 4 : 10
const GRACEFUL_RUNS = QUICK ? 3 : 20
const KILL_RUNS = QUICK ? 2 : 10
const SETTLE_DEADLINE_MS = 60_000
/** A victim has joined when every watcher sees it healthy over a direct link. */
const JOIN_DEADLINE_MS = 30_000
const DETECT_DEADLINE_MS = 30_000
/** Runs that miss a deadline before the bench gives up. */
const MAX_INCOMPLETE = 2
const RAW_TOPIC = 'bench/leave-raw'
/** A graceful leave slower than this gets a closer look in the note. */
const SLOW_MS = 300
/** About the size of a peer record on gossip (see the propagation bench). */
const RAW_BYTES = 300

type Watch = 'leave' | 'leave-or-down'
/** libp2p's PeerId, without a dependency of our own on @libp2p/interface. */
type PeerId = NonNullable<Parameters<Mesh['libp2p']['getConnections']>[0]>

/** The observers and the relay, listening for news of one target peer at a time. */
class Watchers {
  private latch: Latch | undefined
  private target = ''
  private mode: Watch = 'leave'
  private rawTag = -1
  private readonly offs: Array<() => void> = []
  /** peer:leave events about a peer that is not a victim: churn that should not happen. */
  spurious = 0
  /** peer:status suspect events about targets (a watcher lost its link before it heard why). */
  suspects = 0
  private readonly victims = new Set<string>()

  constructor(readonly all: Mesh[]) {
    for (const w of all) {
      this.offs.push(
        w.on('peer:leave', ({ id, reason }) => {
          if (id === this.target) this.latch?.hit(w.peerId, `leave (${reason})`)
          else if (!this.victims.has(id)) this.spurious++
        }),
        w.on('peer:status', ({ id, status }) => {
          if (id !== this.target) return
          if (status === 'down' && this.mode === 'leave-or-down') this.latch?.hit(w.peerId, 'status down')
          if (status === 'suspect') this.suspects++
        })
      )
      const pubsub = w.libp2p.services.pubsub
      const onMessage = (evt: CustomEvent<{ topic: string; data: Uint8Array }>): void => {
        const d = evt.detail
        if (
          d.topic === RAW_TOPIC &&
          d.data.byteLength >= 4 &&
          new DataView(d.data.buffer, d.data.byteOffset).getUint32(0) === this.rawTag
        )
          this.latch?.hit(w.peerId)
      }
      pubsub.addEventListener('message', onMessage)
      this.offs.push(() => pubsub.removeEventListener('message', onMessage))
      pubsub.subscribe(RAW_TOPIC)
    }
  }

  /** Every watcher sees `peer` healthy, the devices over a direct TCP link. */
  joined(peer: string): boolean {
    return this.all.every((w) => {
      const p = w.peers().find((x) => x.id === peer)
      return (
        p !== undefined &&
        p.status === 'healthy' &&
        (w.role === 'relay' ? p.link !== 'none' : p.link === 'tcp')
      )
    })
  }

  watch(target: string, mode: Watch, what: string): Latch {
    this.victims.add(target)
    this.target = target
    this.mode = mode
    this.latch = new Latch(
      this.all.map((w) => w.peerId),
      what
    )
    return this.latch
  }

  watchRaw(tag: number, what: string): Latch {
    this.rawTag = tag
    this.target = ''
    this.latch = new Latch(
      this.all.map((w) => w.peerId),
      what
    )
    return this.latch
  }

  off(): void {
    for (const off of this.offs) off()
  }
}

function tally(details: string[]): string {
  const counts = new Map<string, number>()
  for (const d of details) counts.set(d, (counts.get(d) ?? 0) + 1)
  return [...counts].map(([k, v]) => `${v}× ${k}`).join(', ')
}

/** When the relay's last connection to `peer` closed (performance.now()), once it has. */
function relayLostAt(relay: Mesh, peer: string): { at(): number | undefined; off(): void } {
  let at: number | undefined
  const onClose = (evt: CustomEvent<{ remotePeer: PeerId }>): void => {
    const remote = evt.detail.remotePeer
    if (remote.toString() === peer && relay.libp2p.getConnections(remote).length === 0)
      at ??= performance.now()
  }
  relay.libp2p.addEventListener('connection:close', onClose)
  return { at: () => at, off: () => relay.libp2p.removeEventListener('connection:close', onClose) }
}

async function gracefulLeave(relay: Mesh, watchers: Watchers, defaults: string): Promise<Row> {
  const leave: number[] = []
  const raw: number[] = []
  const stopMs: number[] = []
  const how: string[] = []
  let incomplete = 0
  const joinMs: number[] = []
  /** Who heard last in the runs slower than SLOW_MS: the relay or an observer. */
  const slowLast: string[] = []
  const suspects0 = watchers.suspects
  for (let i = 0; i < GRACEFUL_RUNS; i++) {
    const j0 = performance.now()
    const victim = await createMesh(deviceOptions(tcpAddrs(relay), `leaver-${i}`))
    try {
      const pubsub = victim.libp2p.services.pubsub
      pubsub.subscribe(RAW_TOPIC)
      await until(
        () =>
          watchers.joined(victim.peerId) && pubsub.getSubscribers(RAW_TOPIC).length >= watchers.all.length,
        JOIN_DEADLINE_MS,
        `leaver ${i} joined`,
        10
      )
      joinMs.push(performance.now() - j0)
      // Baseline: one raw gossip message from the same peer to the same watchers, just before.
      const data = crypto.getRandomValues(new Uint8Array(RAW_BYTES))
      new DataView(data.buffer).setUint32(0, i)
      const rawLatch = watchers.watchRaw(i, `raw gossip from leaver ${i}`)
      const r0 = performance.now()
      await pubsub.publish(RAW_TOPIC, data)
      raw.push((await rawLatch.done(DETECT_DEADLINE_MS)) - r0)

      const latch = watchers.watch(victim.peerId, 'leave', `peer:leave of leaver ${i}`)
      const t0 = performance.now()
      await victim.stop()
      stopMs.push(performance.now() - t0)
      const ms = (await latch.done(DETECT_DEADLINE_MS)) - t0
      leave.push(ms)
      how.push(...latch.details)
      if (ms > SLOW_MS) slowLast.push(latch.lastId === relay.peerId ? 'the relay' : 'an observer')
    } catch (err) {
      if (++incomplete > MAX_INCOMPLETE) throw err
      console.warn(`  graceful leave: ${(err as Error).message}`)
    } finally {
      await victim.stop()
    }
  }
  const slow =
    slowLast.length === 0
      ? `no run over ${SLOW_MS} ms`
      : `${slowLast.length} runs over ${SLOW_MS} ms, last to hear: ${tally(slowLast)}`
  return {
    bench: 'failure-detection',
    case: `graceful leave (stop()), ${OBSERVERS} observers + relay`,
    unit: 'ms',
    result: summarise(leave),
    baseline: { what: `raw gossip from the leaver, ${RAW_BYTES} B`, result: summarise(raw) },
    samples: samplesOf(leave, raw),
    note:
      `in-process, one relay; from stop() to the last watcher's peer:leave; stop() itself took ` +
      `${fmt(percentile(stopMs, 0.5))} ms (p50); watchers learnt by: ${tally(how)}; ${slow}; ` +
      `${watchers.suspects - suspects0} times a watcher saw the leaver suspect first (link closed before the news); ` +
      `joining (createMesh() until every watcher sees it healthy over a direct link) took ` +
      `${fmt(percentile(joinMs, 0.5))} ms (p50); ` +
      `${incomplete} runs missed a deadline; health: mesh defaults (${defaults})`
  }
}

async function silentDeath(relay: Mesh, watchers: Watchers, defaults: string): Promise<Row> {
  const detect: number[] = []
  const tcpClose: number[] = []
  const how: string[] = []
  let incomplete = 0
  const spawnMs: number[] = []
  const joinMs: number[] = []
  for (let i = 0; i < KILL_RUNS; i++) {
    const s0 = performance.now()
    const victim = await startVictim(`victim-${i}`, tcpAddrs(relay))
    const j0 = performance.now()
    spawnMs.push(j0 - s0)
    const lost = relayLostAt(relay, victim.peerId)
    try {
      await until(() => watchers.joined(victim.peerId), JOIN_DEADLINE_MS, `victim ${i} joined`, 10)
      joinMs.push(performance.now() - j0)
      const latch = watchers.watch(victim.peerId, 'leave-or-down', `death of victim ${i}`)
      const t0 = performance.now()
      await victim.kill('SIGKILL')
      detect.push((await latch.done(DETECT_DEADLINE_MS)) - t0)
      how.push(...latch.details)
      await until(() => lost.at() !== undefined, DETECT_DEADLINE_MS, `relay sees victim ${i} close`, 1)
      tcpClose.push((lost.at() ?? Number.NaN) - t0)
    } catch (err) {
      if (++incomplete > MAX_INCOMPLETE) throw err
      console.warn(`  silent death: ${(err as Error).message}`)
    } finally {
      lost.off()
      await victim.stop()
    }
  }
  return {
    bench: 'failure-detection',
    case: `silent death (SIGKILL), ${OBSERVERS} observers + relay`,
    unit: 'ms',
    result: summarise(detect),
    baseline: { what: "relay's libp2p sees the connection close", result: summarise(tcpClose) },
    samples: samplesOf(detect, tcpClose),
    note:
      `victim in its own process (bench/dist/victim.js) on the same relay, observers and relay ` +
      `in-process, each with a direct link to it; from SIGKILL to the last watcher's peer:leave ` +
      `or peer:status down; watchers learnt by: ${tally(how)}; the child took ` +
      `${fmt(percentile(spawnMs, 0.5))} ms to start and ${fmt(percentile(joinMs, 0.5))} ms more to join (p50); ` +
      `${incomplete} runs missed a ` +
      `deadline; health: mesh defaults (${defaults})`
  }
}

/** Bench 2: how long until every peer knows that one left, gracefully or by dying. */
export async function benchFailure(): Promise<Row[]> {
  const defaults = healthDefaults()
  const relay = await startRelay()
  let observers: Mesh[] = []
  let watchers: Watchers | undefined
  try {
    observers = await startDevices(tcpAddrs(relay), OBSERVERS, 'observer')
    await settle([relay, ...observers], SETTLE_DEADLINE_MS)
    watchers = new Watchers([relay, ...observers])
    const rows: Row[] = []
    for (const [what, runs, fn] of [
      ['graceful leave', GRACEFUL_RUNS, gracefulLeave],
      ['silent death', KILL_RUNS, silentDeath]
    ] as const) {
      console.log(`bench: ${what} (${runs} runs, ${OBSERVERS} observers)`)
      const probe = new LoadProbe()
      const spurious = watchers.spurious
      const row = await fn(relay, watchers, defaults)
      const tail = `; ${watchers.spurious - spurious} peer:leave of observers during the runs; ${probe.summary()}`
      probe.stop()
      rows.push({ ...row, note: (row.note ?? '') + tail })
    }
    return rows
  } finally {
    watchers?.off()
    await stopAll([...observers, relay])
  }
}
