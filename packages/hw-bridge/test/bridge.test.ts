import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createMesh } from 'mesh-core'
import type { Mesh } from 'mesh-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startBridge } from '../src/index.ts'
import type { Bridge, BridgeInit, Reading } from '../src/index.ts'
import { FakeTree } from './fixtures/fake-tree.ts'
import { piTree } from './fixtures/pi.ts'

const COUNTER = fileURLToPath(new URL('../examples/drivers/counter.mjs', import.meta.url))
const FAKE_DRIVER = fileURLToPath(new URL('./drivers/fixtures/fake-driver.mjs', import.meta.url))
const LOOPBACK = ['/ip4/127.0.0.1/tcp/0']
const SOURCE_NAMES = ['cpu', 'memory', 'storage', 'gpu', 'power', 'thermal', 'iio', 'camera', 'serial']

/** Wait until `cond` holds, checking every 20 ms, for at most `ms`. */
function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  return vi.waitFor(
    async () => {
      if (!(await cond())) throw new Error(`timed out waiting for ${what}`)
    },
    { timeout: ms, interval: 20 }
  )
}

let relay: Mesh
const opened: Array<{ close(): Promise<void> } | Mesh> = []

async function peer(name: string): Promise<Mesh> {
  const m = await createMesh({
    role: 'device',
    name,
    bootstrap: [relay.addresses()[0]!],
    mdns: false,
    listen: LOOPBACK
  })
  opened.push(m)
  return m
}

async function bridge(init: BridgeInit): Promise<Bridge> {
  const b = await startBridge({ relays: [relay.addresses()[0]!], mdns: false, listen: LOOPBACK, ...init })
  opened.push(b)
  return b
}

/** Wait until `caller` sees the bridge offer `task`. */
async function offered(caller: Mesh, b: Bridge, task: string): Promise<void> {
  await until(`${task} offered`, () => {
    const tasks = caller.capabilities(b.mesh.peerId).tasks
    return Array.isArray(tasks) && tasks.includes(task)
  })
}

beforeAll(async () => {
  relay = await createMesh({ role: 'relay', name: 'relay', listen: LOOPBACK, mdns: false })
})

afterAll(async () => {
  for (const o of opened.reverse()) await ('close' in o ? o.close() : o.stop())
  await relay.stop()
})

describe('mesh-bridge on a fake Raspberry Pi tree', () => {
  let tree: FakeTree
  let b: Bridge
  let caller: Mesh
  beforeAll(async () => {
    tree = await FakeTree.create(piTree)
    b = await bridge({
      name: 'pi',
      root: tree.root,
      ffmpeg: false,
      capabilities: { room: 'lab' },
      sources: { power: { sampleMs: 100 } },
      http: { enabled: true, port: 0, host: '127.0.0.1' }
    })
    caller = await peer('laptop')
    await offered(caller, b, 'sensor.read')
  })
  afterAll(async () => {
    await tree[Symbol.asyncDispose]()
  })

  it('advertises what the tree has, plus the static capabilities', () => {
    expect(caller.capabilities(b.mesh.peerId)).toMatchObject({
      cpu: 4,
      room: 'lab',
      battery: 87,
      camera: 1,
      accelerometer: true,
      humidity: true,
      pressure: true,
      serial: expect.arrayContaining(['ttyUSB0']) as unknown
    })
    expect(caller.resolve({ humidity: true, room: 'lab' }).map((p) => p.id)).toEqual([b.mesh.peerId])
  })

  it('reads a sensor over the mesh, in SI units', async () => {
    const r = await caller.task<Reading>(
      {},
      'sensor.read',
      { sensor: 'thermal.cpu-thermal' },
      { peer: b.mesh.peerId }
    )
    expect(r).toMatchObject({ sensor: 'thermal.cpu-thermal', value: 48.686, unit: '°C' })
    const list = await caller.task<Array<{ id: string }>>({}, 'sensor.list', {}, { peer: b.mesh.peerId })
    expect(list.map((s) => s.id)).toContain('thermal.cpu-thermal')
    await expect(caller.task({}, 'sensor.read', { sensor: 'nope' }, { peer: b.mesh.peerId })).rejects.toThrow(
      /no sensor "nope"/
    )
    await expect(caller.task({}, 'sensor.read', {}, { peer: b.mesh.peerId })).rejects.toThrow(/args.sensor/)
  })

  it('streams samples at the asked rate, bounded by the count, and clamps a greedy rate', async () => {
    const sensor = (
      await caller.task<Array<{ id: string; kind: string }>>({}, 'sensor.list', {}, { peer: b.mesh.peerId })
    ).find((s) => s.kind === 'accel')!.id
    const t = caller.task<{ samples: number; rateHz: number }>(
      {},
      'sensor.stream',
      { sensor, rateHz: 50, maxSamples: 8 },
      { peer: b.mesh.peerId }
    )
    const got: Reading[] = []
    for await (const s of t) got.push(s as Reading)
    expect(await t).toEqual({ sensor, samples: 8, rateHz: 50 })
    expect(got).toHaveLength(8)
    expect((got[0]!.value as number[]).length).toBe(3)
    for (let i = 1; i < got.length; i++) expect(got[i]!.at).toBeGreaterThanOrEqual(got[i - 1]!.at)
    const fast = caller.task<{ rateHz: number }>(
      {},
      'sensor.stream',
      { sensor, rateHz: 1e6, maxSamples: 2 },
      { peer: b.mesh.peerId }
    )
    expect((await fast).rateHz).toBe(100)
    await expect(
      caller.task({}, 'sensor.stream', { sensor, rateHz: -1 }, { peer: b.mesh.peerId })
    ).rejects.toThrow(/rateHz/)
  })

  it('re-advertises when a value it advertises changes', async () => {
    await tree.write({ 'sys/class/power_supply/battery/capacity': '41\n' })
    await until('battery 41', () => caller.capabilities(b.mesh.peerId).battery === 41)
  })

  it('serves Prometheus metrics and a health report', async () => {
    const url = b.http!.url
    const metrics = await (await fetch(`${url}/metrics`)).text()
    expect(metrics).toMatch(
      /mesh_bridge_sensor_value\{sensor="thermal.cpu-thermal",kind="temperature",unit="°C",axis=""\} 48.686/
    )
    expect(metrics).toMatch(/mesh_bridge_task_calls_total\{task="sensor.read",outcome="ok"\} \d+/)
    expect(metrics).toMatch(/process_resident_memory_bytes \d+/)
    const health = await fetch(`${url}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ok', name: 'pi', peerId: b.mesh.peerId })
    expect((await fetch(`${url}/nope`)).status).toBe(404)
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405)
  })

  it('offers no camera.capture without ffmpeg', () => {
    expect(caller.capabilities(b.mesh.peerId).tasks).not.toContain('camera.capture')
  })
})

describe('mesh-bridge tasks', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mesh-bridge-test-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('captures a JPEG through ffmpeg from the camera the tree has', async () => {
    await using tree = await FakeTree.create({ 'dev/video0': '' })
    // A stand-in ffmpeg: checks it was asked for the device, answers with a tiny JPEG.
    const ffmpeg = join(dir, 'ffmpeg')
    await writeFile(
      ffmpeg,
      `#!${process.execPath}\nconst a = process.argv.slice(2)\nif (!a.includes(${JSON.stringify(join(tree.root, 'dev/video0'))})) { console.error('wrong device ' + a.join(' ')); process.exit(3) }\nprocess.stdout.write(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]))\n`
    )
    await chmod(ffmpeg, 0o755)
    const b = await bridge({ name: 'cam', root: tree.root, ffmpeg })
    const caller = await peer('viewer')
    await offered(caller, b, 'camera.capture')
    const shot = await caller.task<{ mime: string; data: Uint8Array; device: string }>(
      { camera: true },
      'camera.capture',
      {},
      { peer: b.mesh.peerId }
    )
    expect(shot.mime).toBe('image/jpeg')
    expect(shot.device).toBe('video0')
    expect([...shot.data.slice(0, 2)]).toEqual([0xff, 0xd8])
    await expect(
      caller.task({}, 'camera.capture', { device: 'video9' }, { peer: b.mesh.peerId })
    ).rejects.toThrow(/no camera video9/)
  })

  it('enforces the allow-list: listed peers may call, others get a clear refusal', async () => {
    await using tree = await FakeTree.create(piTree)
    const friend = await peer('friend')
    const stranger = await peer('stranger')
    const b = await bridge({
      name: 'guarded',
      root: tree.root,
      ffmpeg: false,
      allow: { 'sensor.*': [friend.peerId], 'system.info': '*' }
    })
    await offered(friend, b, 'sensor.read')
    await offered(stranger, b, 'sensor.read')
    const at = { peer: b.mesh.peerId }
    await expect(
      friend.task({}, 'sensor.read', { sensor: 'thermal.cpu-thermal' }, at)
    ).resolves.toMatchObject({ value: 48.686 })
    await expect(stranger.task({}, 'sensor.read', { sensor: 'thermal.cpu-thermal' }, at)).rejects.toThrow(
      /may not call sensor.read/
    )
    await expect(stranger.task({}, 'system.info', {}, at)).resolves.toMatchObject({ name: 'guarded' })
  })

  it("offers a driver's tasks and sensors while it is up, and withdraws them while it is down", async () => {
    const b = await bridge({
      name: 'drivers',
      ffmpeg: false,
      sources: Object.fromEntries(SOURCE_NAMES.map((n) => [n, { enabled: false }])),
      drivers: [
        { name: 'counter', command: process.execPath, args: [COUNTER] },
        {
          name: 'fake',
          command: process.execPath,
          args: [FAKE_DRIVER],
          restart: { initialMs: 300, maxMs: 300 }
        }
      ]
    })
    const caller = await peer('user')
    await offered(caller, b, 'counter.add')
    await offered(caller, b, 'fake.echo')
    const at = { peer: b.mesh.peerId }
    expect(caller.capabilities(b.mesh.peerId).drivers).toEqual(['counter', 'fake'])
    expect(await caller.task({}, 'counter.add', { by: 5 }, at)).toBe(5)
    expect(await caller.task({}, 'sensor.read', { sensor: 'counter.count' }, at)).toMatchObject({ value: 5 })
    // The fake driver dies: its tasks and capabilities go, the counter's stay.
    await caller.task({}, 'fake.crash', {}, at).catch(() => {})
    await until('fake withdrawn', () => {
      const caps = caller.capabilities(b.mesh.peerId)
      return !(caps.tasks as string[]).includes('fake.echo') && caps.fake === undefined
    })
    expect(caller.capabilities(b.mesh.peerId).drivers).toEqual(['counter'])
    // Restarted after its backoff: offered again.
    await offered(caller, b, 'fake.echo')
    expect(caller.capabilities(b.mesh.peerId).fake).toBe(true)
  })
})
