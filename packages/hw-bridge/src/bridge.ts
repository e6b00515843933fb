import { arch, platform } from 'node:os'
import { join } from 'node:path'
import { createMesh } from 'mesh-core'
import type { Capabilities, Mesh } from 'mesh-core'
import { AllowList } from './allow.ts'
import { findExecutable } from './camera.ts'
import { defaultConfig } from './config.ts'
import type { BridgeConfig, SourcesConfig } from './config.ts'
import { driverSource } from './drivers/index.ts'
import type { DriverSource } from './drivers/index.ts'
import { bridgeMetrics, serveHttp } from './http.ts'
import type { HealthReport, HttpEndpoint } from './http.ts'
import { SourceHub } from './hub.ts'
import { createSources } from './sources/index.ts'
import type { Source, SourceLog } from './source.ts'
import { defineBridgeTasks } from './tasks.ts'

export interface BridgeInit extends Partial<Omit<BridgeConfig, 'sources'>> {
  /** Per built-in source, what differs from the defaults (`{ power: { sampleMs: 1000 } }`). */
  sources?: { [K in keyof SourcesConfig]?: Partial<SourcesConfig[K]> }
  /** Where the bridge reports what its sources and drivers do. @default a no-op */
  log?: SourceLog
  /**
   * ffmpeg for `camera.capture`: a path, or a name looked up on PATH; `false` turns the
   * task off. Without ffmpeg (or without a camera) the task is not offered. @default 'ffmpeg'
   */
  ffmpeg?: string | false
  /** Sources besides the configured ones (tests, embedding). */
  extraSources?: Source[]
}

export interface Bridge {
  mesh: Mesh
  hub: SourceHub
  /** The metrics and health endpoint, when `http.enabled`. */
  http: HttpEndpoint | undefined
  close(): Promise<void>
}

/** The capability that lists the external drivers that are up: their tasks need it. */
const DRIVERS_CAP = 'drivers'

/**
 * Join the mesh as a device: read the host's hardware (src/sources), run the external
 * drivers, advertise it all as capabilities (again whenever it changes), serve
 * `sensor.*`, `camera.capture`, `system.info` and the drivers' tasks behind the allow-list,
 * and optionally `/metrics` and `/health` over HTTP.
 */
export async function startBridge(init: BridgeInit = {}): Promise<Bridge> {
  const sourcesConfig = Object.fromEntries(
    Object.entries(defaultConfig.sources).map(([k, v]) => [
      k,
      { ...v, ...init.sources?.[k as keyof SourcesConfig] }
    ])
  ) as unknown as SourcesConfig
  const config: BridgeConfig = { ...defaultConfig, ...init, sources: sourcesConfig }
  const log: SourceLog = init.log ?? (() => {})
  const drivers: DriverSource[] = config.drivers.map((d) => driverSource(d, { log }))
  const sources: Source[] = [
    ...createSources({ sources: config.sources }, { root: config.root, log }),
    ...drivers,
    ...(init.extraSources ?? [])
  ]
  let mesh: Mesh | undefined
  const hub = new SourceHub(sources, log, () => void readvertise())
  const upDrivers = (): string[] =>
    drivers.filter((d) => d.status === 'up').map((d) => d.name.replace(/^driver:/, ''))
  const capabilities = (): Capabilities => {
    const up = upDrivers()
    return {
      platform: platform(),
      arch: arch(),
      ...hub.capabilities(),
      ...(up.length > 0 ? { [DRIVERS_CAP]: up } : {}),
      ...config.capabilities
    }
  }
  const defined = new Set<string>()
  /** Each driver task is defined once, offered only while its driver is up. */
  const defineDriverTasks = (): void => {
    if (mesh === undefined) return
    for (const [name, { source }] of hub.tasks()) {
      if (defined.has(name)) continue
      defined.add(name)
      mesh.define(
        name,
        async (args, ctx) => {
          allow.check(name, ctx.from)
          const t = hub.tasks().get(name)
          if (t === undefined) throw new Error(`${name}: its driver is down`)
          const t0 = performance.now()
          try {
            const out = await t.run(args, ctx.signal)
            metrics.observe(name, 'ok', performance.now() - t0)
            return out
          } catch (err) {
            metrics.observe(name, 'error', performance.now() - t0)
            throw err
          }
        },
        { needs: { [DRIVERS_CAP]: source.replace(/^driver:/, '') } }
      )
    }
  }
  let advertising = Promise.resolve()
  const readvertise = (): Promise<void> =>
    (advertising = advertising.then(async () => {
      if (mesh === undefined) return
      defineDriverTasks()
      try {
        await mesh.advertise(capabilities(), { replace: true })
      } catch (err) {
        log('error', 'cannot advertise', { error: (err as Error).message })
      }
    }))

  const allow = new AllowList(config.allow)
  /** A source works: it started, and if it is a driver, its process is up. */
  const sourceUp = (name: string): boolean => {
    const d = drivers.find((x) => x.name === name)
    return !hub.failed.has(name) && (d === undefined || d.status === 'up')
  }
  const metrics = bridgeMetrics(() => mesh, hub, sourceUp)
  await hub.start()
  const startedAt = Date.now()
  let http: HttpEndpoint | undefined
  let closed = false
  try {
    mesh = await createMesh({
      role: 'device',
      bootstrap: config.relays,
      ...(config.name !== undefined ? { name: config.name } : {}),
      ...(config.dataDir !== undefined ? { dataDir: config.dataDir } : {}),
      listen: config.listen ?? ['/ip4/0.0.0.0/tcp/0', '/p2p-circuit', '/webrtc'],
      mdns: config.mdns,
      capabilities: capabilities()
    })
    const ffmpeg = init.ffmpeg === false ? undefined : await findExecutable(init.ffmpeg ?? 'ffmpeg')
    const devices = (): string[] => {
      const list = hub.capabilities().cameras
      return Array.isArray(list) ? list.map((n) => join(config.root, 'dev', n)) : []
    }
    if (ffmpeg === undefined) log('info', 'camera.capture is off: no ffmpeg found')
    defineBridgeTasks({
      mesh,
      hub,
      allow,
      camera: ffmpeg === undefined ? undefined : { ffmpeg, devices },
      observe: (t, o, ms) => metrics.observe(t, o, ms),
      startedAt
    })
    defineDriverTasks()
    const m = mesh
    const health = (): HealthReport => {
      const status: Record<string, boolean> = {}
      for (const s of sources) status[s.name] = sourceUp(s.name)
      return {
        status: closed ? 'stopped' : Object.values(status).every(Boolean) ? 'ok' : 'degraded',
        peerId: m.peerId,
        name: m.name,
        peers: m.peers().filter((p) => p.status === 'healthy').length,
        uptimeS: Math.round((Date.now() - startedAt) / 1_000),
        sources: status
      }
    }
    if (config.http.enabled) http = await serveHttp(config.http, metrics, health)
  } catch (err) {
    await hub.stop()
    await mesh?.stop()
    throw err
  }
  const started = mesh
  return {
    mesh: started,
    hub,
    http,
    async close() {
      if (closed) return
      closed = true
      await http?.close()
      await started.stop()
      await hub.stop()
      await advertising
    }
  }
}
