import { streamPair } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { decodeCbor, encodeCbor } from '../src/wire/cbor.ts'
import { FramedChannel } from '../src/wire/channel.ts'
import { FrameDecoder, encodeFrame } from '../src/wire/framing.ts'
import { parseRpcFrame } from '../src/rpc/frames.ts'

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise<void>((r) => setImmediate(r))
  }
}

describe('CBOR', () => {
  it('round-trips plain data', () => {
    const v = { a: 1, b: [true, 'x', null], c: new Uint8Array([1, 2]) }
    expect(decodeCbor(encodeCbor(v))).toEqual(v)
  })
  it('rejects malformed input with BadMessageError', () => {
    expect(() => decodeCbor(new Uint8Array([0xff, 0x00, 0x13]))).toThrow(
      expect.objectContaining({ name: 'BadMessageError' })
    )
    expect(() => decodeCbor(new Uint8Array([]))).toThrow(expect.objectContaining({ name: 'BadMessageError' }))
  })
  it('rejects __proto__ keys and deep nesting', () => {
    const proto = encodeCbor(JSON.parse('{"__proto__": {"polluted": true}}'))
    expect(() => decodeCbor(proto)).toThrow(expect.objectContaining({ name: 'BadMessageError' }))
    let deep: unknown = 1
    for (let i = 0; i < 40; i++) deep = [deep]
    expect(() => decodeCbor(encodeCbor(deep))).toThrow(/deep/)
  })
  it('never throws anything but BadMessageError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeCbor(bytes)
        } catch (err) {
          expect((err as Error).name).toBe('BadMessageError')
        }
      })
    )
  })
})

describe('framing', () => {
  it('reassembles frames however the bytes are split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (payloads, cuts) => {
          const bytes = concat(payloads.map(encodeFrame))
          const d = new FrameDecoder(1024)
          const out: Uint8Array[] = []
          let at = 0
          let i = 0
          while (at < bytes.byteLength) {
            const n = cuts[i++ % cuts.length] ?? 1
            for (const f of d.push(bytes.subarray(at, at + n))) out.push(f)
            at += n
          }
          expect(out).toEqual(payloads)
        }
      )
    )
  })
  it('refuses a frame over the limit before buffering it', () => {
    const d = new FrameDecoder(100)
    const header = encodeFrame(new Uint8Array(101)).subarray(0, 2)
    expect(() => [...d.push(header)]).toThrow(expect.objectContaining({ name: 'TooLargeError' }))
  })
})

describe('rpc frames', () => {
  it('accepts the documented frames', () => {
    expect(parseRpcFrame({ t: 'req', id: 1, name: 'x', args: null, attempt: 1, key: 'k' })).toMatchObject({
      t: 'req'
    })
    expect(parseRpcFrame({ t: 'res', id: 1, ok: true, v: 3 })).toMatchObject({ ok: true })
    expect(
      parseRpcFrame({
        t: 'res',
        id: 1,
        ok: false,
        e: { code: 'TIMEOUT', message: 'm', name: 'TimeoutError' }
      })
    ).toMatchObject({ ok: false })
    expect(parseRpcFrame({ t: 'ping', id: 0 })).toEqual({ t: 'ping', id: 0 })
  })
  it('names what is wrong with a bad frame', () => {
    expect(parseRpcFrame('x')).toMatch(/map/)
    expect(parseRpcFrame({ t: 'req', id: -1 })).toMatch(/id/)
    expect(parseRpcFrame({ t: 'zap', id: 1 })).toMatch(/unknown frame type/)
    expect(parseRpcFrame({ t: 'req', id: 1, name: '', attempt: 1, key: '' })).toMatch(/name/)
    expect(parseRpcFrame({ t: 'res', id: 1, ok: false, e: { code: 'NOPE', message: '', name: '' } })).toMatch(
      /result/
    )
  })
})

describe('FramedChannel over a stream pair', () => {
  it('delivers values in order, coalescing writes', async () => {
    const [a, b] = await streamPair()
    const got: unknown[] = []
    const ca = new FramedChannel(a, {
      maxFrameBytes: 1024,
      onFrame: () => {},
      onBadFrame: () => {},
      onClose: () => {}
    })
    new FramedChannel(b, {
      maxFrameBytes: 1024,
      onFrame: (v) => got.push(v),
      onBadFrame: () => {},
      onClose: () => {}
    })
    for (let i = 0; i < 500; i++) ca.send({ i })
    await until(() => got.length === 500)
    expect(got).toEqual(Array.from({ length: 500 }, (_, i) => ({ i })))
  })
  it('refuses to send an oversized value', async () => {
    const [a] = await streamPair()
    const ca = new FramedChannel(a, {
      maxFrameBytes: 16,
      onFrame: () => {},
      onBadFrame: () => {},
      onClose: () => {}
    })
    expect(() => ca.send({ big: 'x'.repeat(100) })).toThrow(
      expect.objectContaining({ name: 'TooLargeError' })
    )
  })
  it('resets the stream on a malformed frame and reports it', async () => {
    const [a, b] = await streamPair()
    let bad: Error | undefined
    let closed = false
    new FramedChannel(b, {
      maxFrameBytes: 1024,
      onFrame: () => {},
      onBadFrame: (e) => (bad = e),
      onClose: () => (closed = true)
    })
    a.send(encodeFrame(new Uint8Array([0xff, 0xff, 0xff])))
    await until(() => closed)
    expect(bad?.name).toBe('BadMessageError')
    expect(b.status).not.toBe('open')
  })
  it('resets a stream whose graceful close never finishes (a dead link), instead of hanging', async () => {
    const [a] = await streamPair()
    // The peer is gone: the close is never acknowledged, and this stream ignores the signal.
    const stuck: Stream = a
    const abort = vi.fn()
    stuck.close = () => new Promise<void>(() => {})
    stuck.abort = abort
    const c = new FramedChannel(stuck, {
      maxFrameBytes: 1024,
      onFrame: () => {},
      onBadFrame: () => {},
      onClose: () => {}
    })
    await c.close(50)
    expect(abort).toHaveBeenCalledTimes(1)
  })
})

describe('a burst of small frames in one chunk', () => {
  it('decodes every frame even when the chunk is larger than the buffer limit', () => {
    const frame = encodeFrame(
      encodeCbor({ t: 'cast', id: 0, k: 'send', b: { to: 'p/1', m: 'x'.repeat(40) } })
    )
    const n = Math.ceil((3 * 1_048_576) / frame.byteLength)
    const chunk = new Uint8Array(n * frame.byteLength)
    for (let i = 0; i < n; i++) chunk.set(frame, i * frame.byteLength)
    const decoder = new FrameDecoder(1_048_576)
    let count = 0
    for (const f of decoder.push(chunk)) if (f.byteLength === frame.byteLength - 1) count++
    expect(count).toBe(n)
  })

  it('still refuses one frame over the limit', () => {
    const decoder = new FrameDecoder(1_000)
    expect(() => [...decoder.push(encodeFrame(new Uint8Array(1_001)))]).toThrow(/larger than 1000 bytes/)
  })
})

describe('undefined on the wire', () => {
  it('encodes as null, which the strict decoder accepts', () => {
    expect(decodeCbor(encodeCbor({ a: undefined, b: [1, undefined] }))).toEqual({ a: null, b: [1, null] })
    expect(decodeCbor(encodeCbor(undefined))).toBe(null)
  })
})
