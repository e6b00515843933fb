import { createMesh } from 'mesh-core'
import type { HealthOptions, LimitOptions, Mesh, MeshOptions } from 'mesh-core'
import { until } from './until.ts'

/** How many devices start at once: a burst of 200 handshakes starves the event loop. */
const START_BATCH = 10

/** What a bench may set on every peer it starts: health and limits; the rest is fixed. */
export interface PeerTuning {
  health?: HealthOptions
  limits?: LimitOptions
}

/** A relay on loopback TCP and WebSocket, as in the mesh-core tests. */
export async function startRelay(tuning: PeerTuning = {}): Promise<Mesh> {
  return createMesh({
    role: 'relay',
    name: 'relay',
    listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'],
    dht: false,
    mdns: false,
    ...tuning
  })
}

/** The relay's plain TCP addresses: the lightest transport for Node peers. */
export function tcpAddrs(relay: Mesh): string[] {
  return relay.addresses().filter((a) => a.includes('/tcp/') && !a.includes('/ws'))
}

/** A Node device in the benches: loopback TCP only, no DHT, no mDNS. */
export function deviceOptions(bootstrap: string[], name: string, tuning: PeerTuning = {}): MeshOptions {
  return { name, bootstrap, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: false, ...tuning }
}

/**
 * Start `n` devices bootstrapping from `bootstrap`, a batch at a time, each batch online
 * before the next. Gives up (stopping what it started) when `deadlineMs` pass.
 */
export async function startDevices(
  bootstrap: string[],
  n: number,
  prefix: string,
  tuning: PeerTuning = {},
  deadlineMs = 60_000
): Promise<Mesh[]> {
  const out: Mesh[] = []
  const end = Date.now() + deadlineMs
  try {
    while (out.length < n) {
      const batch = Math.min(START_BATCH, n - out.length)
      const names = Array.from({ length: batch }, (_, k) => `${prefix}-${out.length + k}`)
      const started = await Promise.all(
        names.map((name) => createMesh(deviceOptions(bootstrap, name, tuning)))
      )
      out.push(...started)
      // Paced: on loopback every dial comes from one host, and a relay refuses more than
      // inboundConnectionsPerSecond from one host (then the device backs off for seconds).
      await until(
        () => started.every((m) => m.connectionState() === 'online'),
        Math.max(0, end - Date.now()),
        'batch online',
        10
      )
    }
  } catch (err) {
    const online = out.filter((m) => m.connectionState() === 'online').length
    await stopAll(out)
    throw new Error(`only ${online} of ${n} devices online within ${deadlineMs / 1_000} s`, { cause: err })
  }
  return out
}

/** Whether `m` sees every id in `ids` (other than itself) as healthy. */
export function seesAll(m: Mesh, ids: ReadonlySet<string>): boolean {
  const seen = new Map(m.peers().map((p) => [p.id, p.status]))
  for (const id of ids) if (id !== m.peerId && seen.get(id) !== 'healthy') return false
  return true
}

/** What keeps a fleet from settling, for an error message. */
export function describeUnsettled(all: Mesh[]): string {
  const ids = new Set(all.map((m) => m.peerId))
  let missing = 0
  const statuses = new Map<string, number>()
  for (const m of all) {
    const seen = new Map(m.peers().map((p) => [p.id, p.status]))
    for (const id of ids) {
      if (id === m.peerId) continue
      const s = seen.get(id)
      if (s === undefined) missing++
      else if (s !== 'healthy') statuses.set(s, (statuses.get(s) ?? 0) + 1)
    }
  }
  const st = [...statuses].map(([k, v]) => `, ${v} ${k}`).join('')
  return `${missing} of ${all.length * (all.length - 1)} views missing${st}`
}

/** Mean direct (non-relay) links per device. */
export function meanDirectLinks(devices: Mesh[]): number {
  let links = 0
  for (const d of devices) links += d.peers().filter((p) => p.link === 'tcp' && p.role !== 'relay').length
  return devices.length === 0 ? 0 : links / devices.length
}

/**
 * Wait until every mesh sees every other one as healthy. Returns how many ms that took.
 * Polled every 50 ms, every 500 ms in a large fleet: each peers() call builds a PeerInfo
 * per peer (40,000 of them per poll at N = 200), which would starve the peers themselves.
 */
export async function settle(all: Mesh[], deadlineMs: number): Promise<number> {
  const t0 = performance.now()
  const ids = new Set(all.map((m) => m.peerId))
  let pending = [...all]
  try {
    await until(
      () => {
        pending = pending.filter((m) => !seesAll(m, ids))
        return pending.length === 0
      },
      deadlineMs,
      `settle ${all.length} peers`,
      all.length > 20 ? 500 : 50
    )
  } catch (err) {
    throw new Error(`${(err as Error).message}: ${describeUnsettled(all)}`, { cause: err })
  }
  return performance.now() - t0
}

/** Stop every mesh, whatever happened; gives up waiting after `ms` (a hung stop must not hang the run). */
export async function stopAll(meshes: Mesh[], ms = 30_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.warn(`bench: ${meshes.length} meshes did not all stop within ${ms} ms`)
      resolve()
    }, ms)
  })
  await Promise.race([Promise.allSettled(meshes.map((m) => m.stop())), deadline])
  clearTimeout(timer)
}

export interface Churn {
  /** `peer:leave` events so far. */
  leaves: number
  /** `peer:status` events to anything but healthy. */
  unhealthy: number
  off(): void
}

/** Count churn across a fleet: a settled fleet under a benchmark should show none. */
export function watchChurn(meshes: Mesh[]): Churn {
  const offs: Array<() => void> = []
  const churn: Churn = { leaves: 0, unhealthy: 0, off: () => offs.forEach((off) => off()) }
  for (const m of meshes) {
    offs.push(m.on('peer:leave', () => void churn.leaves++))
    offs.push(m.on('peer:status', (p) => void (p.status === 'healthy' ? 0 : churn.unhealthy++)))
  }
  return churn
}
