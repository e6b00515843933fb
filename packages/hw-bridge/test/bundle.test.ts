// What the mesh-bridge bundle swaps in to save memory (src/bundle/, rolldown.config.ts):
// node:crypto for noise's WebAssembly modules, and stand-ins that load node-datachannel
// and ws on first use. Each must behave as what it replaces, and the bundled bin must
// still make WebRTC and /ws links.
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { ChaCha20Poly1305 as WasmChaCha, newInstance } from '@chainsafe/as-chacha20poly1305'
import { digest as wasmDigest } from '@chainsafe/as-sha256'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import fc from 'fast-check'
import { RPC_PROTOCOL, createMesh } from 'mesh-core'
import type { Mesh, MeshOptions } from 'mesh-core'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { ChaCha20Poly1305 as NodeChaCha } from '../src/bundle/node-chacha20poly1305.ts'
import { digest as nodeDigest } from '../src/bundle/node-sha256.ts'
import { standIns } from '../src/bundle/stand-in.ts'

const BIN = new URL('../dist/mesh-bridge.js', import.meta.url).pathname
const bytes = (min: number, max: number): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength: min, maxLength: max })

describe('node:crypto in place of noise’s WebAssembly', () => {
  const wasm = new WasmChaCha(newInstance())
  const node = new NodeChaCha()

  it('seals byte for byte as @chainsafe/as-chacha20poly1305, and each opens the other’s', () => {
    fc.assert(
      fc.property(bytes(32, 32), bytes(12, 12), bytes(0, 3000), bytes(0, 64), (key, nonce, text, ad) => {
        const sealed = node.seal(key, nonce, text, ad)
        expect(Buffer.from(sealed)).toEqual(Buffer.from(wasm.seal(key, nonce, text, ad)))
        expect(Buffer.from(wasm.open(key, nonce, sealed, ad) ?? [])).toEqual(Buffer.from(text))
        expect(Buffer.from(node.open(key, nonce, sealed, ad) ?? [])).toEqual(Buffer.from(text))
      }),
      { numRuns: 300 }
    )
  })

  it('refuses a tampered frame, a wrong tag or a short one with null, as the original', () => {
    fc.assert(
      fc.property(bytes(32, 32), bytes(12, 12), bytes(1, 200), fc.nat(), (key, nonce, text, at) => {
        const sealed = node.seal(key, nonce, text)
        const i = at % sealed.length
        sealed[i] = (sealed[i] ?? 0) ^ 1
        expect(node.open(key, nonce, sealed)).toBeNull()
        expect(wasm.open(key, nonce, sealed)).toBeNull()
      }),
      { numRuns: 200 }
    )
    expect(node.open(new Uint8Array(32), new Uint8Array(12), new Uint8Array(15))).toBeNull()
  })

  it('writes into dst when it is given one that fits', () => {
    const key = new Uint8Array(32).fill(7)
    const nonce = new Uint8Array(12).fill(1)
    const text = Buffer.from('a frame of sensor samples')
    const dst = new Uint8Array(64)
    const opened = node.open(key, nonce, node.seal(key, nonce, text), undefined, dst)
    expect(opened?.buffer).toBe(dst.buffer)
    expect(Buffer.from(opened ?? [])).toEqual(text)
  })

  it('hashes as @chainsafe/as-sha256', () => {
    fc.assert(
      fc.property(bytes(0, 2000), (data) => {
        expect(Buffer.from(nodeDigest(data))).toEqual(Buffer.from(wasmDigest(data)))
      })
    )
  })
})

interface Greeter {
  greet(): string
}
interface Counted {
  Greeter: (new (name: string) => Greeter) & { kind: string }
}

describe('stand-in classes', () => {
  const fixture = fileURLToPath(new URL('./fixtures/counted-classes.cjs', import.meta.url))
  const loads = (): number => (globalThis as { countedClassesLoads?: number }).countedClassesLoads ?? 0

  it('load their module at the first construction, once, and become the real class', () => {
    const before = loads()
    const { classes, loaded } = standIns<Counted, 'Greeter'>(fixture, ['Greeter'])
    // Declared before the load, as @libp2p/webrtc's subclasses would be.
    class Loud extends classes.Greeter {
      override greet(): string {
        return super.greet().toUpperCase()
      }
    }
    expect(loaded()).toBe(false)
    expect(loads()).toBe(before)

    const g = new classes.Greeter('pi')
    expect(loaded()).toBe(true)
    expect(g.greet()).toBe('hello pi')
    const real = (createRequire(import.meta.url)(fixture) as Counted).Greeter
    expect(g).toBeInstanceOf(real)
    expect(g).toBeInstanceOf(classes.Greeter)
    expect(classes.Greeter.kind).toBe('greeter')

    const l = new Loud('zero')
    expect(l.greet()).toBe('HELLO ZERO')
    expect(l).toBeInstanceOf(real)
    expect(loads()).toBe(before + 1)
  })
})

interface Started {
  peerId: string
  addresses: string[]
}

/** A mesh peer, stopped when the test ends (also when it fails or times out). */
async function peer(options: MeshOptions): Promise<Mesh> {
  const mesh = await createMesh(options)
  onTestFinished(() => mesh.stop())
  return mesh
}

/** The bundled bin against `relay`; stopped, by its pid, when the test ends. */
async function bundledBridge(relay: Mesh, extra: string[]): Promise<Started & { pid: number }> {
  const child = spawn(process.execPath, [
    BIN,
    '--relay',
    relay.addresses()[0] ?? '',
    '--name',
    'pi',
    '--no-mdns',
    '--no-ffmpeg',
    '--json',
    ...extra
  ])
  onTestFinished(() => {
    child.kill('SIGKILL')
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  const line = await vi.waitFor(
    () => {
      const found = out.split('\n').find((l) => l.includes('"msg":"mesh-bridge started"'))
      if (found === undefined) throw new Error(`not started: ${out}`)
      return JSON.parse(found) as Started
    },
    { timeout: 15_000 }
  )
  return { ...line, pid: child.pid ?? -1 }
}

const mapsNativeWebRtc = async (pid: number): Promise<boolean> =>
  (await readFile(`/proc/${pid}/maps`, 'utf8')).includes('node_datachannel')

describe('the bundled mesh-bridge', () => {
  const relayPeer = (): Promise<Mesh> =>
    peer({ role: 'relay', name: 'relay', listen: ['/ip4/127.0.0.1/tcp/0'] })

  it('maps no WebRTC addon while idle, and loads it for its first WebRTC link', async () => {
    const relay = await relayPeer()
    // Reachable only through the relay: the link to the bridge must be WebRTC.
    const phone = await peer({
      role: 'device',
      name: 'phone',
      listen: ['/p2p-circuit', '/webrtc'],
      bootstrap: relay.addresses(),
      mdns: false
    })
    const bridge = await bundledBridge(relay, [])
    // Dialable through the relay once the bridge holds a reservation there.
    const bridgeId = peerIdFromString(bridge.peerId)
    const server = (relay.libp2p.services as { relay?: { reservations: { has(id: PeerId): boolean } } }).relay
    await vi.waitFor(() => expect(server?.reservations.has(bridgeId)).toBe(true), { timeout: 15_000 })
    const via = multiaddr(`${relay.addresses()[0] ?? ''}/p2p-circuit/webrtc/p2p/${bridge.peerId}`)
    expect(await mapsNativeWebRtc(bridge.pid)).toBe(false)

    const link = await phone.libp2p.dial(via, { signal: AbortSignal.timeout(20_000) })
    expect(link.remoteAddr.toString()).toContain('/webrtc')
    expect(link.status).toBe('open')
    expect(await mapsNativeWebRtc(bridge.pid)).toBe(true)
    // A protocol negotiated over the data channel: bytes flow both ways.
    const stream = await link.newStream(RPC_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
    expect(stream.protocol).toBe(RPC_PROTOCOL)
    await stream.close()
  })

  it('listens on /ws when told to, ws loaded on demand', async () => {
    const relay = await relayPeer()
    // No bootstrap: its only way to the bridge is the /ws address it is given.
    const laptop = await peer({
      role: 'device',
      name: 'laptop',
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false
    })
    const bridge = await bundledBridge(relay, ['--listen', '/ip4/127.0.0.1/tcp/0/ws'])
    const ws = bridge.addresses.find((a) => a.includes('/ws'))
    expect(ws).toBeDefined()
    const link = await laptop.libp2p.dial(multiaddr(ws ?? ''), { signal: AbortSignal.timeout(10_000) })
    expect(link.remoteAddr.toString()).toContain('/ws')
    expect(link.remotePeer.toString()).toBe(bridge.peerId)
    const stream = await link.newStream(RPC_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
    expect(stream.protocol).toBe(RPC_PROTOCOL)
    await stream.close()
  })
})
