/**
 * A share of a large fleet in its own process (one event loop cannot carry 200 libp2p
 * nodes). Started by fleet-procs.ts; driven over IPC (fleet-protocol.ts): it starts Node
 * devices with the options of fleet.ts's deviceOptions, answers status and load queries,
 * and reports the wall time (`performance.timeOrigin + performance.now()`, comparable
 * across processes on one machine) at which the last of its devices saw an armed record
 * seq or raw gossip tag.
 *
 * It exits on SIGTERM at once, without stopping its meshes gracefully: 200 goodbyes at
 * the end of a bench would only cost every other worker CPU. It also exits when the
 * bench goes away (the IPC channel closes) or after MAX_LIFETIME_MS.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { RECORDS_TOPIC, createMesh } from 'mesh-core'
import type { Mesh } from 'mesh-core'
import { deviceOptions } from './fleet.ts'
import { parseFromWorker, parseToWorker } from './fleet-protocol.ts'
import type { ArrivalKind, FromWorker, Load, Status, ToWorker } from './fleet-protocol.ts'
import { tagOf, wallNow } from './raw-payload.ts'
import { until } from './until.ts'

const MAX_LIFETIME_MS = 60 * 60_000

function send(msg: FromWorker): void {
  process.send?.(parseFromWorker(msg))
}

const lifetime = setTimeout(() => process.exit(3), MAX_LIFETIME_MS)
lifetime.unref()
process.on('SIGTERM', () => process.exit(0))
process.on('disconnect', () => process.exit(0))

const devices: Mesh[] = []
let fleet: string[] = []
const churn = { leaves: 0, unhealthy: 0 }

interface Armed {
  kind: ArrivalKind
  key: number
  pending: Set<string>
  last: number
}
let armed: Armed | undefined

function hit(kind: ArrivalKind, key: number, peer: string): void {
  const a = armed
  if (a === undefined || a.kind !== kind || a.key !== key || !a.pending.delete(peer)) return
  a.last = wallNow()
  if (a.pending.size > 0) return
  armed = undefined
  send({ type: 'arrived', kind, key, last: a.last, count: devices.length })
}

const lag = monitorEventLoopDelay({ resolution: 20 })
lag.enable()
let cpu0 = process.cpuUsage()
let t0 = performance.now()

function load(reset: boolean): Load {
  const cpu = process.cpuUsage(cpu0)
  const out = {
    lagP99Ms: lag.percentile(99) / 1e6,
    lagMaxMs: lag.max / 1e6,
    cores: (cpu.user + cpu.system) / 1_000 / Math.max(1, performance.now() - t0)
  }
  if (reset) {
    lag.reset()
    cpu0 = process.cpuUsage()
    t0 = performance.now()
  }
  return out
}

async function grow(cmd: Extract<ToWorker, { type: 'grow' }>): Promise<string[]> {
  const end = Date.now() + cmd.deadlineMs
  const started = await Promise.all(
    cmd.names.map((name) => createMesh(deviceOptions(cmd.bootstrap, name, cmd.tuning)))
  )
  devices.push(...started)
  // Paced by the bench: it sends the next batch only when this one is online.
  await until(
    () => started.every((m) => m.connectionState() === 'online'),
    Math.max(0, end - Date.now()),
    `${started.filter((m) => m.connectionState() === 'online').length} of ${started.length} online`,
    10
  )
  return started.map((m) => m.peerId)
}

function status(): Status {
  const out: Status = { known: [], healthy: [], direct: [], ...churn }
  for (const m of devices) {
    let known = 0
    let healthy = 0
    let direct = 0
    const seen = new Map(m.peers().map((p) => [p.id, p]))
    for (const id of fleet) {
      const p = seen.get(id)
      if (p === undefined) continue
      known++
      if (p.status === 'healthy') healthy++
      if (p.link === 'tcp' && p.role !== 'relay') direct++
    }
    out.known.push(known)
    out.healthy.push(healthy)
    out.direct.push(direct)
  }
  return out
}

function listen(topic: string, from: string): void {
  for (const m of devices) {
    m.on('peer:leave', () => void churn.leaves++)
    m.on('peer:status', (p) => void (p.status === 'healthy' ? 0 : churn.unhealthy++))
    m.on('capabilities:change', ({ id, capabilities }) => {
      if (id === from && typeof capabilities.seq === 'number') hit('record', capabilities.seq, m.peerId)
    })
    const pubsub = m.libp2p.services.pubsub
    pubsub.addEventListener('message', (evt) => {
      if (evt.detail.topic === topic) hit('raw', tagOf(evt.detail.data), m.peerId)
    })
    pubsub.subscribe(topic)
  }
}

function subscribed(topic: string): number {
  return devices.filter((m) => {
    const ps = m.libp2p.services.pubsub
    return ps.getSubscribers(topic).length >= ps.getSubscribers(RECORDS_TOPIC).length
  }).length
}

/** The answer to one command: a value, or a promise of one for the slow ones. */
function handle(cmd: ToWorker): unknown {
  switch (cmd.type) {
    case 'grow':
      return grow(cmd)
    case 'fleet':
      fleet = cmd.ids
      return fleet.length
    case 'status':
      return status()
    case 'listen':
      listen(cmd.topic, cmd.from)
      return devices.length
    case 'subscribed':
      return subscribed(cmd.topic)
    case 'arm':
      armed = { kind: cmd.kind, key: cmd.key, pending: new Set(devices.map((m) => m.peerId)), last: 0 }
      // Nothing to wait for: say so at once (after the reply).
      if (devices.length === 0)
        setImmediate(() => {
          armed = undefined
          send({ type: 'arrived', kind: cmd.kind, key: cmd.key, last: 0, count: 0 })
        })
      return devices.length
    case 'disarm': {
      const missing = armed?.pending.size ?? 0
      armed = undefined
      return missing
    }
    case 'clock':
      return wallNow()
    case 'load':
      return load(cmd.reset)
  }
}

process.on('message', (raw: unknown) => {
  let cmd: ToWorker
  try {
    cmd = parseToWorker(raw)
  } catch (err) {
    console.error(`fleet-worker ${process.pid}: ${(err as Error).message}`)
    return
  }
  Promise.resolve()
    .then(() => handle(cmd))
    .then(
      (value) => send({ type: 'reply', id: cmd.id, ok: true, value }),
      (err: unknown) => send({ type: 'reply', id: cmd.id, ok: false, message: (err as Error).message })
    )
})

send({ type: 'ready', pid: process.pid })
