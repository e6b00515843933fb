import { RPC_PROTOCOL } from '../src/constants.ts'
import { peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { createMesh } from '../src/index.ts'
import { encodeCbor } from '../src/wire/cbor.ts'
import { encodeFrame } from '../src/wire/framing.ts'
import { Fleet, startDevice, startRelay, until } from './helpers.ts'

describe('a relay and devices on loopback', () => {
  it('every peer sees every other, with link kind, RTT and capabilities', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const a = fleet.add(await startDevice(relay, { name: 'a', capabilities: { cpu: 4 } }))
    const b = fleet.add(await startDevice(relay, { name: 'b', capabilities: { camera: true } }))
    const joined: string[] = []
    a.on('peer:join', (p) => joined.push(p.name))
    await until(() => [relay, a, b].every((m) => m.peers().length === 2), 10_000, 'full view')
    const bFromA = a.peers().find((p) => p.id === b.peerId)
    expect(bFromA).toMatchObject({ name: 'b', role: 'device', capabilities: { camera: true } })
    await until(() => a.peers().every((p) => p.rttMs !== undefined), 10_000, 'RTT samples')
    const view = Object.fromEntries(a.peers().map((p) => [p.name, p]))
    expect(view.relay?.link).toBe('websocket')
    expect(view.b?.link).toBe('tcp')
    expect(view.b?.rttMs).toBeGreaterThan(0)
    expect(a.resolve({ camera: true }).map((p) => p.id)).toEqual([b.peerId])
    expect(a.nodesFor('cpu')).toEqual([a.peerId])
    expect(a.allCapabilities()).toEqual(expect.arrayContaining(['cpu', 'camera']))
    expect(a.coordinator()).toBe(relay.peerId)
  })

  it('shows a graceful leave at once', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const a = fleet.add(await startDevice(relay, { name: 'a' }))
    const b = await startDevice(relay, { name: 'b' })
    await until(() => a.peers().some((p) => p.id === b.peerId))
    const left = new Promise<{ id: string; reason: string }>((r) => a.on('peer:leave', r))
    await b.stop()
    expect(await left).toEqual({ id: b.peerId, reason: 'normal' })
    expect(a.peers().map((p) => p.id)).toEqual([relay.peerId])
  })

  it('a peer that stops right after joining still says goodbye', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    for (let i = 0; i < 5; i++) {
      const b = await startDevice(relay, { name: `brief-${i}` })
      // Stop the moment the relay has its record: before any ping opened a channel.
      await until(() => relay.peers().some((p) => p.id === b.peerId))
      const left = new Promise<string>((r) =>
        relay.on('peer:leave', (l) => void (l.id === b.peerId && r(l.reason)))
      )
      await b.stop()
      expect(await left).toBe('normal')
    }
  })

  it('runs a task on a capable peer and returns typed errors', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const a = fleet.add(await startDevice(relay, { name: 'a' }))
    const b = fleet.add(await startDevice(relay, { name: 'b', capabilities: { camera: true } }))
    b.define('echo', (x) => x)
    b.define('boom', () => {
      throw new RangeError('bad lens')
    })
    b.define(
      'slow',
      (_x, ctx) =>
        new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))))
    )
    await until(() => (a.capabilities(b.peerId).tasks as string[] | undefined)?.includes('slow') === true)
    const t = a.task<{ n: number }>({ camera: true }, 'echo', { n: 7 })
    expect(await t).toEqual({ n: 7 })
    expect(t.peer).toBe(b.peerId)
    await expect(a.task({}, 'boom', null, { peer: b.peerId })).rejects.toMatchObject({
      name: 'RemoteError',
      code: 'REMOTE_ERROR',
      remoteName: 'RangeError',
      message: 'bad lens'
    })
    await expect(a.task({}, 'nope', null, { peer: b.peerId })).rejects.toMatchObject({ code: 'REFUSED' })
    await expect(a.task({ gpu: 8 }, 'echo')).rejects.toMatchObject({ code: 'NO_CAPABLE_PEER' })
    await expect(a.task({}, 'slow', null, { peer: b.peerId, timeoutMs: 200 })).rejects.toMatchObject({
      code: 'TIMEOUT'
    })
    await expect(a.task({}, 'echo', 'x'.repeat(2_000_000), { peer: b.peerId })).rejects.toMatchObject({
      code: 'TOO_LARGE'
    })
    // After all that, the link still serves.
    expect(await a.task({}, 'echo', 1, { peer: b.peerId })).toBe(1)
  })

  it('survives malformed, oversized and unknown frames and keeps serving', async () => {
    await using fleet = new Fleet()
    const relay = fleet.add(await startRelay())
    const a = fleet.add(await startDevice(relay, { name: 'a' }))
    const b = fleet.add(await startDevice(relay, { name: 'b' }))
    b.define('echo', (x) => x)
    await until(() => a.peers().some((p) => p.id === b.peerId && p.link === 'tcp'))
    const target = peerIdFromString(b.peerId)
    const send = async (bytes: Uint8Array): Promise<string> => {
      const s = await a.libp2p.dialProtocol(target, RPC_PROTOCOL)
      const replies: Uint8Array[] = []
      s.addEventListener('message', (e) => replies.push(e.data.subarray()))
      s.send(bytes)
      await until(() => s.status !== 'open' || replies.length > 0, 5_000, 'a reply or a reset')
      return s.status === 'open' ? 'replied' : s.status
    }
    expect(await send(encodeFrame(new Uint8Array([0xff, 0xfe, 0xfd])))).toBe('reset')
    expect(await send(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]))).toBe('reset')
    // A well-formed frame of an unknown type with an id gets a typed error back.
    expect(await send(encodeFrame(encodeCbor({ t: 'launch', id: 9 })))).toBe('replied')
    await until(() => b.stats().badInput >= 3)
    expect(b.stats().badInputByPeer[a.peerId]).toBeGreaterThanOrEqual(3)
    expect(await a.task({}, 'echo', 'still here', { peer: b.peerId })).toBe('still here')
  })

  it('rejects an invalid bootstrap address, naming it', async () => {
    await expect(createMesh({ bootstrap: ['/ip4/1.2.3.4/tcp/9'], mdns: false })).rejects.toMatchObject({
      name: 'InvalidBootstrapAddressError',
      message: expect.stringContaining('"/ip4/1.2.3.4/tcp/9"')
    })
  })

  it('refuses capabilities that could not be published, and keeps the old ones', async () => {
    await using fleet = new Fleet()
    const solo = fleet.add(
      await createMesh({ mdns: false, listen: ['/ip4/127.0.0.1/tcp/0'], capabilities: { cpu: 1 } })
    )
    solo.define('work', () => 1)
    // 64 capabilities are allowed, but the automatic `tasks` list would make 65.
    const many = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, i]))
    await expect(solo.advertise(many, { replace: true })).rejects.toMatchObject({
      name: 'InvalidCapabilitiesError'
    })
    expect(solo.capabilities()).toEqual({ cpu: 1, tasks: ['work'] })
    await expect(solo.advertise({ big: 'x'.repeat(300) })).rejects.toMatchObject({
      name: 'InvalidCapabilitiesError'
    })
    expect(solo.capabilities()).toEqual({ cpu: 1, tasks: ['work'] })
  })

  it('computes tasks and actors itself: values passed to advertise for them are dropped', async () => {
    await using fleet = new Fleet()
    const solo = fleet.add(await createMesh({ mdns: false, listen: ['/ip4/127.0.0.1/tcp/0'] }))
    await solo.advertise({ cpu: 2, tasks: ['stale'], actors: ['ghost'] }, { replace: true })
    expect(solo.capabilities()).toEqual({ cpu: 2 })
    solo.define('work', () => 1)
    // A replace that carries the record it read back (tasks and all) keeps only the live list.
    await solo.advertise({ ...solo.capabilities(), gpu: 1 }, { replace: true })
    expect(solo.capabilities()).toEqual({ cpu: 2, gpu: 1, tasks: ['work'] })
  })

  it('works alone with no bootstrap: resolve and tasks run locally', async () => {
    await using fleet = new Fleet()
    const solo = fleet.add(
      await createMesh({ mdns: false, listen: ['/ip4/127.0.0.1/tcp/0'], capabilities: { gpu: 2 } })
    )
    solo.define('infer', (x) => ({ got: x }))
    expect(solo.connectionState()).toBe('online')
    expect(solo.resolve({ gpu: 2 }).map((p) => p.id)).toEqual([solo.peerId])
    expect(await solo.task({ gpu: 2 }, 'infer', 1)).toEqual({ got: 1 })
  })
})
