/**
 * Idle resident memory of a real mesh-bridge process: on a fake Raspberry Pi tree,
 * connected to a relay, with its /metrics and /health endpoint on. Baselines in the same
 * runs, sampled at the same instants: a bare `createMesh` device process with the bridge's
 * mesh options (bridge-idle.ts), which shows what the bridge adds to mesh-core (less what
 * its bundled bin saves: the device loads mesh-core and libp2p unbundled), and a bare
 * `node -e` that imports nothing, which shows what Node itself takes. RSS is VmRSS from
 * /proc/<pid>/status of the processes this bench spawned.
 */
import { fork, spawn } from 'node:child_process'
import { rm } from 'node:fs/promises'
import type { Mesh } from 'mesh-core'
import type { FromBridgeIdle } from './bridge-idle.ts'
import { fakePiTree, procMemory, startBridgeProcess, track, within } from './bridge-proc.ts'
import type { BridgeProcess, ProcMemory } from './bridge-proc.ts'
import { startRelay, tcpAddrs } from './fleet.ts'
import { fmt, samplesOf, summarise } from './stats.ts'
import type { Row } from './stats.ts'

const QUICK = process.env.MESH_BENCH_QUICK === '1'
/** Fresh processes per run. */
const RUNS = QUICK ? 1 : 3
/** Sampling: every SAMPLE_MS for WINDOW_MS once all three are up and connected. */
const SAMPLE_MS = 500
const WINDOW_MS = QUICK ? 3_000 : 10_000
const READY_MS = 30_000
const CONNECT_MS = 30_000
/** No baseline child outlives this, whatever happens to the bench. */
const MAX_LIFETIME_MS = 120_000
/** Bytes in a MB (SI): the goal's unit. */
const MB = 1_000_000
const IDLE_SCRIPT = new URL('./bridge-idle.js', import.meta.url)
/** The V8 settings mesh-bridge's bin sets for itself (packages/hw-bridge/src/bin.ts): the bare device gets them too. */
const BRIDGE_V8_FLAGS = ['--max-semi-space-size=1', '--optimize-for-size', '--no-opt', '--no-maglev']

interface Idler {
  pid: number
  stop(): Promise<void>
}

/** A Node that imports nothing and idles for at most MAX_LIFETIME_MS. */
async function bareNode(): Promise<Idler> {
  const child = spawn(
    process.execPath,
    ['-e', `process.stdout.write('ready\\n'); setTimeout(() => {}, ${MAX_LIFETIME_MS})`],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  )
  const stop = track(child, 'SIGTERM')
  const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
  if (!(await within(ready, READY_MS))) {
    await stop()
    throw new Error(`bare node not ready in ${READY_MS} ms`)
  }
  return { pid: child.pid ?? -1, stop }
}

/** A bare `createMesh` device (bridge-idle.ts), online on `relay`. */
async function bareDevice(relay: string, name: string): Promise<Idler> {
  const child = fork(IDLE_SCRIPT, [name, relay], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [...process.execArgv, ...BRIDGE_V8_FLAGS]
  })
  const stop = track(child, 'disconnect')
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready`)))
    child.once('message', (raw: unknown) => {
      const m = raw as FromBridgeIdle | undefined
      if (m?.type === 'ready') resolve()
      else reject(new Error(`${name}: ${m?.type === 'failed' ? m.message : 'bad message'}`))
    })
  })
  try {
    if (!(await within(ready, READY_MS))) throw new Error(`${name} not ready in ${READY_MS} ms`)
  } catch (err) {
    await stop()
    throw err
  }
  return { pid: child.pid ?? -1, stop }
}

/** The bridge's /health, checked: how many healthy peers it has. */
async function healthyPeers(url: string): Promise<number> {
  const res = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(2_000) })
  const body: unknown = await res.json()
  const peers = (body as { peers?: unknown } | null)?.peers
  if (typeof peers !== 'number') throw new Error(`/health without "peers": ${JSON.stringify(body)}`)
  return peers
}

async function connected(relay: Mesh, bridge: BridgeProcess): Promise<void> {
  const url = bridge.http
  if (url === undefined) throw new Error('mesh-bridge did not report its http endpoint')
  let peers = 0
  const end = Date.now() + CONNECT_MS
  while (!(bridge.joined.has(relay.peerId) && peers >= 1)) {
    if (Date.now() > end) throw new Error(`mesh-bridge not connected to the relay within ${CONNECT_MS} ms`)
    peers = await healthyPeers(url).catch(() => 0)
    if (peers < 1) await new Promise((r) => setTimeout(r, 50))
  }
  // One scrape, as Prometheus would do: the endpoint's first use allocates too.
  const res = await fetch(new URL('/metrics', url), { signal: AbortSignal.timeout(2_000) })
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`)
  await res.text()
}

/** Per process kind, every sample (bytes). */
interface RunSamples {
  bridge: ProcMemory[]
  device: ProcMemory[]
  node: ProcMemory[]
}

async function oneRun(relay: Mesh, root: string, i: number): Promise<RunSamples> {
  const addr = tcpAddrs(relay)[0]
  if (addr === undefined) throw new Error('the relay has no TCP address')
  const started: Idler[] = []
  try {
    const bridge = await startBridgeProcess(addr, root, `bench-pi-${i}`, ['--http', '0'])
    started.push(bridge)
    const device = await bareDevice(addr, `bench-idle-${i}`)
    started.push(device)
    const node = await bareNode()
    started.push(node)
    await connected(relay, bridge)
    const out: RunSamples = { bridge: [], device: [], node: [] }
    const t0 = Date.now()
    while (Date.now() - t0 < WINDOW_MS) {
      const [b, d, n] = await Promise.all([bridge.pid, device.pid, node.pid].map(procMemory))
      out.bridge.push(b!)
      out.device.push(d!)
      out.node.push(n!)
      await new Promise((r) => setTimeout(r, SAMPLE_MS))
    }
    // Still idle and connected at the end: the samples describe a working bridge.
    if (!bridge.joined.has(relay.peerId)) throw new Error('mesh-bridge lost the relay while idle')
    return out
  } finally {
    await Promise.all(started.map((s) => s.stop()))
  }
}

/** One part of the samples, in MB. */
const mb = (xs: ProcMemory[], part: keyof ProcMemory): number[] => xs.map((x) => x[part] / MB)

/** "anonymous 70.1 + file-backed 56.5 MB" at the p50 of each. */
function split(xs: ProcMemory[]): string {
  return `anonymous ${fmt(summarise(mb(xs, 'anon')).p50)} + file-backed ${fmt(summarise(mb(xs, 'file')).p50)} MB`
}

export async function benchBridgeRss(): Promise<Row[]> {
  const relay = await startRelay()
  const root = await fakePiTree()
  try {
    const all: RunSamples = { bridge: [], device: [], node: [] }
    const perRun: string[] = []
    for (let i = 0; i < RUNS; i++) {
      const r = await oneRun(relay, root, i)
      all.bridge.push(...r.bridge)
      all.device.push(...r.device)
      all.node.push(...r.node)
      perRun.push(fmt(summarise(mb(r.bridge, 'rss')).p50))
    }
    const [bs, ds, ns] = [mb(all.bridge, 'rss'), mb(all.device, 'rss'), mb(all.node, 'rss')]
    const [b, d, n] = [summarise(bs), summarise(ds), summarise(ns)]
    const how =
      `VmRSS from /proc/<pid>/status, 1 MB = 10⁶ bytes; ${RUNS} run(s) of fresh processes, each sampled every ` +
      `${SAMPLE_MS} ms for ${WINDOW_MS / 1_000} s once connected (${b.runs} samples per process kind); ` +
      `relay: a createMesh relay in the bench process (loopback TCP)`
    return [
      {
        bench: 'bridge-idle-rss',
        case: 'mesh-bridge, fake Pi tree, connected to a relay, --http on',
        unit: 'MB',
        result: b,
        baseline: { what: 'bare createMesh device process, same mesh options', result: d },
        note:
          `${how}; mesh-bridge --no-mdns --no-ffmpeg --http 0 on a fake Pi tree (thermal zone, MPU-6050, battery), ` +
          `idle after one /metrics scrape; p50 ${fmt(b.p50)} MB (${split(all.bridge)}), max ${fmt(b.max)} MB ` +
          `(per-run p50 ${perRun.join(', ')}); ${fmt(b.p50 / d.p50)}× the bare device (${b.p50 >= d.p50 ? '+' : '−'}` +
          `${fmt(Math.abs(b.p50 - d.p50))} MB: the bridge adds sources, HTTP, prom-client and zod, but runs as one bundled ` +
          `file, dist/mesh-bridge.js, that loads the WebRTC addon and ws on first use, where the device loads mesh-core ` +
          `and libp2p module by module, all at start) and ${fmt(b.p50 / n.p50)}× a bare ` +
          `Node (${fmt(n.p50)} MB); both mesh processes run with the V8 settings the bin sets (${BRIDGE_V8_FLAGS.join(' ')}); ` +
          `goal p50 ≤ 80 MB: ${b.p50 <= 80 ? 'met' : 'missed'}`,
        samples: samplesOf(bs, ds)
      },
      {
        bench: 'bridge-idle-rss',
        case: 'bare createMesh device process (the bridge’s mesh options), connected to a relay',
        unit: 'MB',
        result: d,
        baseline: { what: 'bare Node process (node -e, imports nothing)', result: n },
        note:
          `${how}; device role, listens on TCP, circuit and WebRTC, no mDNS, nothing defined, ${BRIDGE_V8_FLAGS.join(' ')}; p50 ${fmt(d.p50)} MB ` +
          `(${split(all.device)}), max ${fmt(d.max)} MB; bare Node p50 ${fmt(n.p50)} MB (${split(all.node)}), max ${fmt(n.max)} MB`,
        samples: samplesOf(ds, ns)
      }
    ]
  } finally {
    await relay.stop()
    await rm(root, { recursive: true, force: true })
  }
}
