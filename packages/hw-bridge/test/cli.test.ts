import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { createMesh } from 'mesh-core'
import { hostCapabilities, logPeers, main } from '../src/index.ts'

const BIN = new URL('../dist/mesh-bridge.js', import.meta.url).pathname

function io(): { out: string[]; err: string[]; io: Parameters<typeof main>[1] } {
  const out: string[] = []
  const err: string[] = []
  return {
    out,
    err,
    io: { out: (l) => out.push(l), err: (l) => err.push(l), stopSignal: new Promise<string>(() => {}) }
  }
}

describe('mesh-bridge CLI', () => {
  it('prints usage and the version, and exits 2 on a bad flag', async () => {
    const a = io()
    expect(await main(['--help'], a.io)).toBe(0)
    expect(a.out.join('\n')).toMatch(/Usage: mesh-bridge/)
    const b = io()
    expect(await main(['--version'], b.io)).toBe(0)
    expect(b.out[0]).toMatch(/^\d+\.\d+\.\d+$/)
    const c = io()
    expect(await main(['--frobnicate'], c.io)).toBe(2)
    expect(c.err.join('\n')).toMatch(/frobnicate/)
  })

  it('exits 1 with a clear message on an invalid relay address', async () => {
    const a = io()
    expect(await main(['--relay', '/ip4/1.2.3.4/tcp/1', '--no-mdns'], a.io)).toBe(1)
    expect(a.err.join('\n')).toMatch(/invalid bootstrap address "\/ip4\/1\.2\.3\.4\/tcp\/1"/)
  })

  it('refuses to start with a broken config file, naming the file, the line and the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mesh-bridge-cli-'))
    try {
      const file = join(dir, 'bridge.json')
      await writeFile(file, '{\n  "name": "pi",\n  "sources": { "thermal": { "sampleMs": "fast" } }\n}\n')
      const a = io()
      expect(await main(['--config', file, '--no-mdns'], a.io)).toBe(1)
      expect(a.err.join('\n')).toMatch(/bridge\.json:3:\d+: sources\.thermal\.sampleMs: /)
      await writeFile(file, '{ "name": "pi", }}')
      const b = io()
      expect(await main(['--config', file], b.io)).toBe(1)
      expect(b.err.join('\n')).toMatch(/bridge\.json:1:\d+/)
      const c = io()
      expect(await main(['--config', join(dir, 'missing.json')], c.io)).toBe(1)
      expect(c.err.join('\n')).toMatch(/missing\.json/)
      expect(a.out.concat(b.out, c.out).join('\n')).not.toMatch(/started/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('advertises the host basics', () => {
    const caps = hostCapabilities()
    expect(caps).toMatchObject({ cpu: cpus().length, platform: process.platform, arch: process.arch })
    expect(caps.memoryMb).toBeGreaterThan(0)
  })

  it('joins a relay over TCP, and exits 0 on SIGTERM after leaving', async () => {
    const relay = await createMesh({ role: 'relay', name: 'relay', listen: ['/ip4/127.0.0.1/tcp/0'] })
    try {
      const child = spawn(process.execPath, [
        BIN,
        '--relay',
        relay.addresses()[0] ?? '',
        '--name',
        'pi',
        '--no-mdns',
        '--json'
      ])
      // Also when the test fails or times out: the bridge must not outlive the run.
      onTestFinished(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      })
      let out = ''
      child.stdout.on('data', (d: Buffer) => (out += d.toString()))
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      // The first record may come before the bridge registers its tasks: wait for both.
      await vi.waitFor(
        () =>
          expect(relay.peers().find((p) => p.name === 'pi')).toMatchObject({
            role: 'device',
            link: 'tcp',
            capabilities: {
              cpu: cpus().length,
              tasks: expect.arrayContaining(['system.info', 'sensor.read']) as unknown
            }
          }),
        { timeout: 15_000 }
      )
      const relayJoined = `"msg":"peer joined","id":"${relay.peerId}"`
      await vi.waitFor(() => expect(out).toContain(relayJoined), { timeout: 15_000 })
      const left = new Promise<{ reason: string }>((r) => relay.on('peer:leave', r))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect((await left).reason).toBe('normal')
      expect(out).toContain('"msg":"stopped"')
    } finally {
      await relay.stop()
    }
  })

  it('logs the peers met before it listened, once, and later ones as they come', async () => {
    const relay = await createMesh({ role: 'relay', name: 'relay', listen: ['/ip4/127.0.0.1/tcp/0'] })
    const device = await createMesh({ name: 'pi', bootstrap: [relay.addresses()[0] ?? ''], mdns: false })
    let late: Awaited<ReturnType<typeof createMesh>> | undefined
    try {
      // The relay joined while the device started: no listener saw it.
      await vi.waitFor(() => expect(device.peers().map((p) => p.id)).toContain(relay.peerId), {
        timeout: 15_000
      })
      const lines: Array<{ msg: string; fields: Record<string, unknown> }> = []
      logPeers(device, (msg, fields) => lines.push({ msg, fields }))
      expect(lines).toEqual([{ msg: 'peer joined', fields: { id: relay.peerId, name: 'relay' } }])
      late = await createMesh({ name: 'late', bootstrap: [relay.addresses()[0] ?? ''], mdns: false })
      const lateId = late.peerId
      await vi.waitFor(() => expect(lines.map((l) => l.fields.id)).toContain(lateId), { timeout: 15_000 })
      expect(lines.filter((l) => l.msg === 'peer joined').map((l) => l.fields.id)).toEqual([
        relay.peerId,
        lateId
      ])
    } finally {
      await late?.stop()
      await device.stop()
      await relay.stop()
    }
  })
})
