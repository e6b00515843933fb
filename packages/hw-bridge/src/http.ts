import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Mesh } from 'mesh-core'
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import type { SourceHub } from './hub.ts'

/** How long one sensor may take to read during a scrape. */
const SCRAPE_READ_MS = 1_000

export interface BridgeMetrics {
  readonly registry: Registry
  observe(task: string, outcome: 'ok' | 'error' | 'forbidden', ms: number): void
}

/** Sensor readings as numbers: a vector becomes one series per axis. */
function numericSeries(value: unknown): Array<[axis: string, v: number]> {
  if (typeof value === 'number' && Number.isFinite(value)) return [['', value]]
  if (typeof value === 'boolean') return [['', value ? 1 : 0]]
  if (Array.isArray(value) && value.length <= 4)
    return value.flatMap((v, i) =>
      typeof v === 'number' && Number.isFinite(v)
        ? [[['x', 'y', 'z', 'w'][i] ?? String(i), v] as [string, number]]
        : []
    )
  return []
}

/** Prometheus metrics of one bridge, in a registry of its own (several bridges may share a process). */
export function bridgeMetrics(
  mesh: () => Mesh | undefined,
  hub: SourceHub,
  up: (source: string) => boolean
): BridgeMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  new Gauge({
    name: 'mesh_bridge_peers',
    help: 'Peers this bridge sees, by status',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset()
      for (const p of mesh()?.peers() ?? []) this.inc({ status: p.status })
    }
  })
  new Gauge({
    name: 'mesh_bridge_source_up',
    help: '1 when the source (a built-in reader or an external driver) is working',
    labelNames: ['source'],
    registers: [registry],
    collect() {
      this.reset()
      for (const s of hub.sources) this.set({ source: s.name }, up(s.name) ? 1 : 0)
    }
  })
  new Gauge({
    name: 'mesh_bridge_sensor_value',
    help: 'The latest reading of each numeric sensor, in its unit',
    labelNames: ['sensor', 'kind', 'unit', 'axis'],
    registers: [registry],
    async collect() {
      this.reset()
      await Promise.all(
        hub.sensors().map(async (s) => {
          try {
            const r = await hub.read(s.id, AbortSignal.timeout(SCRAPE_READ_MS))
            for (const [axis, v] of numericSeries(r.value))
              this.set({ sensor: s.id, kind: s.kind, unit: r.unit ?? s.unit ?? '', axis }, v)
          } catch {
            // An unreadable sensor is absent from this scrape; mesh_bridge_source_up says why.
          }
        })
      )
    }
  })
  const calls = new Counter({
    name: 'mesh_bridge_task_calls_total',
    help: 'Task calls served, by task and outcome (ok, error, forbidden)',
    labelNames: ['task', 'outcome'],
    registers: [registry]
  })
  const seconds = new Counter({
    name: 'mesh_bridge_task_seconds_total',
    help: 'Time spent serving task calls',
    labelNames: ['task'],
    registers: [registry]
  })
  return {
    registry,
    observe(task, outcome, ms) {
      calls.inc({ task, outcome })
      seconds.inc({ task }, ms / 1_000)
    }
  }
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'stopped'
  peerId?: string
  name?: string
  peers: number
  uptimeS: number
  sources: Record<string, boolean>
}

export interface HttpEndpoint {
  /** `http://host:port` */
  url: string
  close(): Promise<void>
}

/** Serve `GET /metrics` (Prometheus text) and `GET /health` (JSON; 503 once stopped). */
export async function serveHttp(
  o: { host: string; port: number },
  metrics: BridgeMetrics,
  health: () => HealthReport
): Promise<HttpEndpoint> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (err: Error) =>
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`)
      )
      return
    }
    if (path === '/health' || path === '/healthz') {
      const h = health()
      res
        .writeHead(h.status === 'stopped' ? 503 : 200, {
          'content-type': 'application/json',
          'cache-control': 'no-store'
        })
        .end(JSON.stringify(h))
      return
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /health\n')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const addr = server.address() as AddressInfo
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
