/**
 * What the mesh-bridge benches share: a fake Raspberry Pi file tree, a real `mesh-bridge`
 * process (packages/hw-bridge/dist/mesh-bridge.js) started against a relay and stopped by its pid,
 * and a process's resident set read from /proc/<pid>/status.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

export const BRIDGE_BIN = new URL('../../packages/hw-bridge/dist/mesh-bridge.js', import.meta.url).pathname
const START_MS = 30_000
const EXIT_MS = 10_000

/**
 * A Raspberry Pi 4's /proc and /sys as the kernel documents them (proc(5),
 * sysfs-class-thermal, sysfs-bus-iio, sysfs-class-power): a SoC thermal zone in
 * millidegrees, an MPU-6050 IMU (`_raw` channels with a shared scale) and a UPS battery.
 */
const PI_TREE: Record<string, string> = {
  'proc/cpuinfo':
    [0, 1, 2, 3].map((n) => `processor\t: ${n}\nCPU part\t: 0xd08\n`).join('\n') +
    '\nHardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n',
  'proc/loadavg': '0.42 0.36 0.30 1/213 12345\n',
  'proc/meminfo': 'MemTotal:        3884464 kB\nMemFree:         2645220 kB\nMemAvailable:    3311228 kB\n',
  'sys/class/thermal/thermal_zone0/type': 'cpu-thermal\n',
  'sys/class/thermal/thermal_zone0/temp': '48686\n',
  'sys/bus/iio/devices/iio:device0/name': 'mpu6050\n',
  'sys/bus/iio/devices/iio:device0/in_accel_x_raw': '-120\n',
  'sys/bus/iio/devices/iio:device0/in_accel_y_raw': '260\n',
  'sys/bus/iio/devices/iio:device0/in_accel_z_raw': '16390\n',
  'sys/bus/iio/devices/iio:device0/in_accel_scale': '0.000598\n',
  'sys/bus/iio/devices/iio:device0/in_anglvel_x_raw': '15\n',
  'sys/bus/iio/devices/iio:device0/in_anglvel_y_raw': '-7\n',
  'sys/bus/iio/devices/iio:device0/in_anglvel_z_raw': '2\n',
  'sys/bus/iio/devices/iio:device0/in_anglvel_scale': '0.001064724\n',
  'sys/class/power_supply/battery/type': 'Battery\n',
  'sys/class/power_supply/battery/present': '1\n',
  'sys/class/power_supply/battery/capacity': '87\n',
  'sys/class/power_supply/battery/voltage_now': '3987000\n'
}

/** Write the fake Pi tree into a fresh temporary directory; returns its path (the caller removes it). */
export async function fakePiTree(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'mesh-bench-pi-'))
  for (const [path, body] of Object.entries(PI_TREE)) {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeFile(join(root, path), body)
  }
  return root
}

/** One JSON log line of `mesh-bridge --json`, checked field by field. */
interface BridgeLine {
  msg: string
  peerId?: string
  id?: string
  http?: string
}

function parseLine(line: string): BridgeLine | undefined {
  if (!line.startsWith('{')) return undefined
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch {
    return undefined
  }
  if (typeof v !== 'object' || v === null) return undefined
  const o = v as Record<string, unknown>
  if (typeof o.msg !== 'string') return undefined
  const out: BridgeLine = { msg: o.msg }
  for (const k of ['peerId', 'id', 'http'] as const) {
    const x = o[k]
    if (typeof x === 'string') out[k] = x
  }
  return out
}

/** A running `mesh-bridge`. */
export interface BridgeProcess {
  peerId: string
  pid: number
  /** The /metrics and /health endpoint's URL, when started with `--http`. */
  http: string | undefined
  /** Peers the bridge has logged as joined (and not left since), live. */
  joined: Set<string>
  /** SIGTERM, then SIGKILL when it has not exited within EXIT_MS; resolves once it is gone. */
  stop(): Promise<void>
}

/** Wait for `p`, or `false` after `ms`. */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  const ok = await Promise.race([p.then(() => true), late])
  clearTimeout(timer)
  return ok
}

/** Children still running, killed by pid if the bench itself exits first. */
const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const c of live) if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid, 'SIGKILL')
})

/**
 * Watch a child this bench spawned: it is SIGKILLed if the bench exits first, and the
 * returned `stop` sends it `signal` by its pid (`'disconnect'`: closes its IPC channel
 * instead), then SIGKILL when it has not exited within EXIT_MS; it resolves once the child is gone.
 */
export function track(child: ChildProcess, signal: NodeJS.Signals | 'disconnect'): () => Promise<void> {
  live.add(child)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  void exited.then(() => live.delete(child))
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null
  return async () => {
    if (gone() || child.pid === undefined) return
    if (signal === 'disconnect') {
      if (child.connected) child.disconnect()
    } else process.kill(child.pid, signal)
    if (await within(exited, EXIT_MS)) return
    if (!gone()) process.kill(child.pid, 'SIGKILL')
    if (!(await within(exited, EXIT_MS))) throw new Error(`child ${child.pid} survived SIGKILL`)
  }
}

/** Start `mesh-bridge --json --no-mdns --no-ffmpeg` on `root` against `relay`, plus `extra` flags. */
export async function startBridgeProcess(
  relay: string,
  root: string,
  name: string,
  extra: string[] = []
): Promise<BridgeProcess> {
  const child = spawn(
    process.execPath,
    [
      BRIDGE_BIN,
      '--relay',
      relay,
      '--root',
      root,
      '--name',
      name,
      '--no-mdns',
      '--no-ffmpeg',
      '--json',
      ...extra
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  )
  // The bin stops gracefully on SIGTERM, as under mesh-bridge.service.
  const stop = track(child, 'SIGTERM')
  const joined = new Set<string>()
  let errors = ''
  let buffered = ''
  try {
    const started = await new Promise<BridgeLine>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`mesh-bridge not started in ${START_MS} ms: ${errors}`)),
        START_MS
      )
      child.once('exit', (code) =>
        reject(new Error(`mesh-bridge exited (${code}) before it started: ${errors}`))
      )
      child.stderr.on('data', (d: Buffer) => void (errors = (errors + d.toString()).slice(-2_000)))
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString()
        const lines = buffered.split('\n')
        buffered = lines.pop() ?? ''
        for (const line of lines) {
          const m = parseLine(line)
          if (m?.msg === 'peer joined' && m.id !== undefined) joined.add(m.id)
          if (m?.msg === 'peer left' && m.id !== undefined) joined.delete(m.id)
          if (m?.msg === 'mesh-bridge started' && m.peerId !== undefined) {
            clearTimeout(timer)
            resolve(m)
          }
        }
      })
    })
    return { peerId: started.peerId ?? '', pid: child.pid ?? -1, http: started.http, joined, stop }
  } catch (err) {
    await stop().catch(() => {})
    throw err
  }
}

/** A process's resident set, bytes: all of it, and its anonymous and file-backed parts. */
export interface ProcMemory {
  rss: number
  anon: number
  file: number
}

/** VmRSS, RssAnon and RssFile of process `pid`, from /proc/<pid>/status (Linux; kB there means KiB). */
export async function procMemory(pid: number): Promise<ProcMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(status)
    if (m === null) throw new Error(`no ${name} in /proc/${pid}/status`)
    return Number(m[1]) * 1_024
  }
  return { rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') }
}
