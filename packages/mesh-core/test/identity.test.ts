import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createMesh } from '../src/index.ts'
import { startRelay, wsAddrs } from './helpers.ts'

describe('identity', () => {
  it('persists under dataDir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mesh-id-'))
    try {
      const first = await createMesh({ dataDir: dir, mdns: false, listen: ['/ip4/127.0.0.1/tcp/0'] })
      const id = first.peerId
      await first.stop()
      const again = await createMesh({ dataDir: dir, mdns: false, listen: ['/ip4/127.0.0.1/tcp/0'] })
      expect(again.peerId).toBe(id)
      await again.stop()
    } finally {
      await rm(dir, { recursive: true })
    }
  })
  it('refuses a corrupt key file, naming it, and leaves it alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mesh-id-'))
    try {
      await writeFile(join(dir, 'peer.key'), 'not a key')
      await expect(createMesh({ dataDir: dir, mdns: false })).rejects.toMatchObject({
        name: 'InvalidOptionsError',
        message: expect.stringContaining(join(dir, 'peer.key'))
      })
      expect(await readFile(join(dir, 'peer.key'), 'utf8')).toBe('not a key')
    } finally {
      await rm(dir, { recursive: true })
    }
  })
})

describe('stop()', () => {
  it('leaves no timers or handles: a Node process exits by itself', async () => {
    const relay = await startRelay()
    try {
      const dist = new URL('../dist/index.js', import.meta.url).href
      const script = `
        import { setTimeout as tick } from 'node:timers/promises'
        import { createMesh } from ${JSON.stringify(dist)}
        const m = await createMesh({ bootstrap: ${JSON.stringify(wsAddrs(relay))}, mdns: false,
          listen: ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit', '/webrtc'] })
        const end = Date.now() + 10000
        while (m.peers().length === 0 && Date.now() < end) await tick(20)
        console.log('peers', m.peers().length)
        await m.stop()
        console.log('stopped')`
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'pipe']
      })
      let out = ''
      child.stdout.on('data', (d: Buffer) => (out += d.toString()))
      child.stderr.on('data', (d: Buffer) => (out += d.toString()))
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL')
          resolve(null)
        }, 20_000)
        child.on('exit', (c) => {
          clearTimeout(timer)
          resolve(c)
        })
      })
      expect(out).toContain('peers 1')
      expect(out).toContain('stopped')
      expect(code).toBe(0)
    } finally {
      await relay.stop()
    }
  })
})
